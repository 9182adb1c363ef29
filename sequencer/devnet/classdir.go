package devnet

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ReadClassDir reads every *.json file of dir (not its sub-directories),
// in name order.
func ReadClassDir(dir string) ([]ClassFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read classes: %w", err)
	}
	var out []ClassFile
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read classes: %w", err)
		}
		out = append(out, ClassFile{Name: path, Data: b})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("read classes: no .json class file in %s", dir)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
