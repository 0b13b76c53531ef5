package main

import (
	"path/filepath"
	"testing"
)

// TestChatSizedAnswerFiles runs the conversation tests of answers that fit
// a chat on their own knowledge (testdata/chat/knowledge: an official
// sheet with twelve links, a procedure with eleven steps).
func TestChatSizedAnswerFiles(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "chat")
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("chat conversation files: %v %v", files, err)
	}
	runFiles(t, files, "--knowledge", filepath.Join(dir, "knowledge"))
}
