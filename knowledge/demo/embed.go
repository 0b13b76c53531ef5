// Package demo holds Boussole's embedded demonstration knowledge: about fifty
// procedure sheets and support programs for France and Québec, orientation
// trees for the most frequent needs (identity papers, money and benefits,
// housing, work, health, help with online procedures, Québec services,
// vehicles, civil status) and a curated list of synonyms.
//
// The content is written by the Boussole team in plain French, from the
// official sources each item cites, and reviewed in 2026. It is meant to
// make the bot useful out of the box and to show admins the file format;
// a real deployment should review it, add its local places and keep the
// review dates current. See README.md in this directory.
//
// The files are plain YAML read by knowledge.Load:
//
//	items/*.yaml      one item or a list of items per file
//	trees/*.yaml      one orientation tree per file
//	synonyms.yaml     synonyms: [[cni, "carte nationale d'identité"], ...]
package demo

import (
	"embed"
	"io/fs"
)

//go:embed items trees synonyms.yaml
var files embed.FS

// FS returns the demo knowledge as a read-only file system, ready for
// knowledge.Load.
func FS() fs.FS { return files }
