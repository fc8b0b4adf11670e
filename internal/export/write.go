package export

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// WriteFiles writes the output of Generate under dir, creating dir and its
// schemas/ subdirectory as needed. Unless overwrite is set it writes
// nothing and returns an error when a file it would write exists, or when
// dir already holds *.hcl files (they would be read together with the
// export). Names must be relative, slash-separated and stay inside dir.
func WriteFiles(dir string, files map[string][]byte, overwrite bool) error {
	names := make([]string, 0, len(files))
	for n := range files {
		clean := path.Clean(n)
		if n == "" || path.IsAbs(n) || clean != n || clean == ".." || strings.HasPrefix(clean, "../") {
			return fmt.Errorf("export: invalid file name %q", n)
		}
		names = append(names, n)
	}
	sort.Strings(names)
	if !overwrite {
		var clash []string
		for _, n := range names {
			if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(n))); err == nil {
				clash = append(clash, n)
			}
		}
		if entries, err := os.ReadDir(dir); err == nil {
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".hcl") && files[e.Name()] == nil {
					clash = append(clash, e.Name())
				}
			}
		}
		if len(clash) > 0 {
			sort.Strings(clash)
			return fmt.Errorf("export: %s already holds %s; export into an empty directory (or overwrite)", dir, strings.Join(clash, ", "))
		}
	}
	for _, n := range names {
		p := filepath.Join(dir, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := os.WriteFile(p, files[n], 0o644); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	return nil
}
