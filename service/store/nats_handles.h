#pragma once
// Owning handles for libnats objects: std::unique_ptr with the matching
// destroy function, so that every early return releases what it created.
// Thread-compatible (like the unique_ptr they are).

#include <memory>

#include <nats/nats.h>

namespace vouchstream::store {

template <typename T, void (*Destroy)(T*)>
struct NatsDeleter {
  void operator()(T* object) const {
    if (object != nullptr) {
      Destroy(object);
    }
  }
};

using NatsOptionsPtr =
    std::unique_ptr<natsOptions, NatsDeleter<natsOptions, natsOptions_Destroy>>;
using NatsConnectionPtr =
    std::unique_ptr<natsConnection,
                    NatsDeleter<natsConnection, natsConnection_Destroy>>;
using NatsSubscriptionPtr =
    std::unique_ptr<natsSubscription,
                    NatsDeleter<natsSubscription, natsSubscription_Destroy>>;
using NatsMsgPtr =
    std::unique_ptr<natsMsg, NatsDeleter<natsMsg, natsMsg_Destroy>>;
using JsCtxPtr = std::unique_ptr<jsCtx, NatsDeleter<jsCtx, jsCtx_Destroy>>;
using JsPubAckPtr =
    std::unique_ptr<jsPubAck, NatsDeleter<jsPubAck, jsPubAck_Destroy>>;
using JsStreamInfoPtr =
    std::unique_ptr<jsStreamInfo,
                    NatsDeleter<jsStreamInfo, jsStreamInfo_Destroy>>;
using JsMsgMetaDataPtr =
    std::unique_ptr<jsMsgMetaData,
                    NatsDeleter<jsMsgMetaData, jsMsgMetaData_Destroy>>;
using JsConsumerInfoPtr =
    std::unique_ptr<jsConsumerInfo,
                    NatsDeleter<jsConsumerInfo, jsConsumerInfo_Destroy>>;
using KvStorePtr =
    std::unique_ptr<kvStore, NatsDeleter<kvStore, kvStore_Destroy>>;
using KvEntryPtr =
    std::unique_ptr<kvEntry, NatsDeleter<kvEntry, kvEntry_Destroy>>;

}  // namespace vouchstream::store
