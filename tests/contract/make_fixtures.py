#!/usr/bin/env python3
"""Writes testdata/voucherify/variants/*.json from Voucherify's seed payload.

Each fixture is the seed with the variations real senders make: envelopes
(project webhook and distribution), another event type, `user: null`,
6-digit timestamps, the singular `voucher`, fields outside the documented
schema, and the other discount forms. Run from the repository root.
"""
import copy
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
VOUCHERIFY = os.path.join(HERE, "..", "..", "testdata", "voucherify")
SEED = os.path.join(VOUCHERIFY, "publication.succeeded.seed.json")
OUT = os.path.join(VOUCHERIFY, "variants")


def dump(name, obj):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def main():
    seed = json.load(open(SEED))
    env = {
        "id": "whs_0a1b2c3d4e5f60718293a4b5",
        "project_id": "proj_f1r5Tpr0J3Ct",
        "created_at": "2024-02-01T12:54:33.298Z",
        "type": "publication.succeeded",
        "data": seed,
        "source": {"id": "wh_4Kx9aQ2", "object": "webhook",
                   "target_url": "https://hooks.example.com/voucherify"},
        "event": {"id": "evpub_7hG2kLmN0pQ", "type": "publication.succeeded",
                  "created_at": "2024-02-01T12:54:33.180Z",
                  "entity_id": "pub_r0413bLwExpB6LE0v286eNVmEpx6NxmP",
                  "group_id": "v-0e5d3a8c1b",
                  "event_source": {"channel": "USER_PORTAL", "user": {
                      "id": "user_ypzfEcSAphSONMGJRlj6trzXKsh7FGX7"}}},
    }
    dump("envelope.publication.succeeded.json", env)

    dist = copy.deepcopy(env)
    dist["id"] = "whs_9f8e7d6c5b4a"
    dist["type"] = "Welcome voucher to CRM"
    dist["source"] = {"id": "distr_Qx7Lm2", "object": "distribution",
                      "target_url": "https://crm.example.com/in"}
    dist["event"]["id"] = "evpub_dIsTr1bUt10n"
    dump("envelope.distribution.json", dist)

    red = {
        "id": "whs_r3d3mpt10n",
        "project_id": "proj_f1r5Tpr0J3Ct",
        "created_at": "2024-03-05T09:10:11.123456Z",
        "type": "redemption.succeeded",
        "data": {
            "redemption": {
                "id": "r_0c5b1f2e", "object": "redemption",
                "date": "2024-03-05T09:10:11.100Z",
                "customer_id": "cust_IdgAFZxYwwHctOk9pPuMu308",
                "amount": 2500, "result": "SUCCESS",
                "order": {"id": "ord_1", "amount": 10000, "items": [
                    {"product_id": "prod_0df14b7e7d8975079d", "quantity": 2}]},
                "metadata": {"store": "Berlin-3", "pos": None}},
            "voucher": {"id": "v_gZt6Zc74XKRv6VXSqubC2jDMfHjzbFPi",
                        "code": "ZERO-8",
                        "campaign_id": "camp_EV79Z6CjaAMpX4pFxVivvzzk"},
            "customer": {"id": "cust_IdgAFZxYwwHctOk9pPuMu308",
                         "name": "Jack Webhook", "email": None},
        },
        "source": {"id": "wh_4Kx9aQ2", "object": "webhook",
                   "target_url": "https://hooks.example.com/voucherify"},
        "event": {"id": "evred_2Lx0QpA", "type": "redemption.succeeded",
                  "created_at": "2024-03-05T09:10:11.105Z",
                  "entity_id": "r_0c5b1f2e", "group_id": "v-77aa",
                  "event_source": {"channel": "API", "api_key": {
                      "name": "backend", "app_id": "app_9c1"}}},
    }
    dump("envelope.redemption.succeeded.json", red)

    api = copy.deepcopy(seed)
    api["user"] = None
    api["campaign"]["voucher"]["discount"] = {
        "type": "PERCENT", "percent_off": 10, "amount_limit": 3000,
        "effect": "APPLY_TO_ORDER"}
    api["campaign"]["voucher"]["code_config"]["min_desired"] = 1
    api["campaign"]["voucher"]["redemption"]["quantity"] = 3
    v = api["vouchers"][0]
    v["code"] = "IMPORTED-CODE-42"
    v["discount"] = {"type": "PERCENT", "percent_off": 10.5,
                     "amount_limit": 3000, "effect": "APPLY_TO_ORDER"}
    v["assets"] = {"qr": {"id": "U2FsdGVkX1",
                          "url": "https://dl.voucherify.io/api/v1/assets/qr/U2F"}}
    v["created_at"] = "2024-01-24T12:39:59.139123Z"
    v["redemption"] = {"quantity": 3, "redeemed_quantity": 1}
    api["voucher"] = copy.deepcopy(v)
    api["publication"]["channel"] = "API"
    api["publication"]["created_at"] = "2024-02-01T12:54:33.174456Z"
    api["publication"]["customer"]["email"] = "jack@example.com"
    api["customer"]["email"] = "jack@example.com"
    dump("body.publication.succeeded.api.json", api)

    units = copy.deepcopy(seed)
    units["campaign"]["voucher"]["discount"] = {
        "type": "UNIT", "effect": "ADD_MANY_ITEMS", "units": [
            {"unit_off": 1, "unit_type": "prod_0df14b7e7d8975079d",
             "effect": "ADD_MISSING_ITEMS"},
            {"unit_off": 2, "unit_type": "sku_0b1621b319d248b79f",
             "effect": "ADD_NEW_ITEMS"}]}
    units["vouchers"][0]["discount"] = units["campaign"]["voucher"]["discount"]
    units["publication"]["customer"]["address"] = {
        "city": "Berlin", "line_1": "Unter den Linden 1", "line_2": None,
        "country": "DE", "postal_code": "10117", "state": None}
    dump("body.publication.succeeded.units.json", units)

    fixed = copy.deepcopy(seed)
    fixed["campaign"]["voucher"]["discount"] = {
        "type": "FIXED", "fixed_amount": 500, "effect": "APPLY_TO_ITEMS"}
    fixed["vouchers"][0]["discount"] = {
        "type": "AMOUNT", "amount_off": 1000, "effect": "APPLY_TO_ORDER"}
    fixed["campaign"]["voucher"]["gift"] = {
        "amount": 10000, "balance": 7500, "effect": "APPLY_TO_ORDER"}
    fixed["campaign"]["voucher"]["loyalty_card"] = {"points": 120,
                                                    "balance": 80}
    fixed["campaign"]["metadata"] = {"team": "growth", "tier": 2,
                                     "flags": ["a", "b"],
                                     "nested": {"x": None}}
    dump("body.publication.succeeded.fixed.json", fixed)


if __name__ == "__main__":
    main()
