package vouchstream

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// FileCursor keeps the last processed seq in a small text file. Save writes
// a temporary file, syncs it and renames it over the old one, so a crash
// leaves the old or the new value, never a torn one.
type FileCursor struct {
	Path string
}

// Load returns the saved seq, or 0 when nothing was saved yet.
func (c FileCursor) Load() (uint64, error) {
	data, err := os.ReadFile(c.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	text := strings.TrimSpace(string(data))
	if text == "" {
		return 0, nil
	}
	seq, err := strconv.ParseUint(text, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("cursor %s: %w", c.Path, err)
	}
	return seq, nil
}

// Save records seq durably.
func (c FileCursor) Save(seq uint64) error {
	tmp, err := os.CreateTemp(filepath.Dir(c.Path), ".cursor-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := fmt.Fprintf(tmp, "%d\n", seq); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), c.Path)
}
