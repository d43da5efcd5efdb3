package testkit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// JSONPaths lists the path, written as stationflow's load errors name
// fields ("sections[2].indicators[0].id"), of every value in doc, duplicate
// keys included; false when doc is not one valid JSON value. Fuzz tests
// use it to check that every field an error names exists in the document.
func JSONPaths(doc []byte) (map[string]bool, bool) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	paths := map[string]bool{}
	var walk func(at string) error
	walk = func(at string) error {
		paths[at] = true
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				key, err := dec.Token()
				if err != nil {
					return err
				}
				k, _ := key.(string)
				if at != "" {
					k = at + "." + k
				}
				if err := walk(k); err != nil {
					return err
				}
			}
			_, err = dec.Token()
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if err := walk(fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
			_, err = dec.Token()
		}
		return err
	}
	if walk("") != nil {
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false
	}
	return paths, true
}
