package app

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// DecodeFile reads the configuration file at path over v, which holds the
// defaults. An unknown key, a value of the wrong type or a second YAML
// document is an error naming the file, the line and the key.
func DecodeFile(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return fmt.Errorf("read config %s: %w", path, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config %s: %s", path, plainYAMLError(data, err))
	}
	// A second document (after ---) would be silently ignored.
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return fmt.Errorf("config %s: line %d: a second YAML document (after ---) is not read: put every setting in one document", path, extra.Line)
	} else if !errors.Is(err, io.EOF) {
		return fmt.Errorf("config %s: %s", path, plainYAMLError(data, err))
	}
	return nil
}

// typeMismatch is yaml.v3's wording of a value of the wrong type.
var typeMismatch = regexp.MustCompile("line (\\d+): cannot unmarshal !!(\\w+) `([^`]*)` into (\\S+)")

// plainYAMLError rewrites a YAML decoding error for an admin: a value of
// the wrong type names its key and says what is expected in words, not Go
// types (« retention.days (line 2): "beaucoup" is not a whole number »).
func plainYAMLError(data []byte, err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return msg
	}
	return typeMismatch.ReplaceAllStringFunc(msg, func(m string) string {
		p := typeMismatch.FindStringSubmatch(m)
		line, _ := strconv.Atoi(p[1])
		key := keyAt(&root, line, "")
		if key == "" {
			key = "line " + p[1]
		} else {
			key += " (line " + p[1] + ")"
		}
		return fmt.Sprintf("%s: %q is not %s", key, p[3], goTypeWords(p[4]))
	})
}

// keyAt returns the dotted key whose value starts on line, or "".
func keyAt(n *yaml.Node, line int, prefix string) string {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			if k := keyAt(c, line, prefix); k != "" {
				return k
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			name := k.Value
			if prefix != "" {
				name = prefix + "." + k.Value
			}
			if v.Line == line && (v.Kind == yaml.ScalarNode || v.Kind == yaml.AliasNode) {
				return name
			}
			if sub := keyAt(v, line, name); sub != "" {
				return sub
			}
		}
	}
	return ""
}

// goTypeWords says what a Go type expects, in words.
func goTypeWords(t string) string {
	switch {
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "a whole number"
	case strings.HasPrefix(t, "float"):
		return "a number"
	case t == "bool":
		return "true or false"
	case t == "string":
		return "text"
	case strings.HasPrefix(t, "[]"):
		return "a list ([a, b] or one \"- item\" per line)"
	// A named type of some package (app.LogConfig, discord.Settings,
	// hours.Spec): every named type of the file is a section.
	case strings.HasPrefix(t, "map"), strings.Contains(t, "."):
		return "a group of settings (key: value lines)"
	}
	return "of the expected kind"
}
