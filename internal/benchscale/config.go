package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Names of the generated configuration.
const (
	benchProject  = "bench-project"
	projectNumber = "123456789012"
	// pairsPerFile keeps every file far below the loader's per-file token
	// limit (config.MaxFileTokens).
	pairsPerFile = 1000
)

// shape is what each topic and subscription carries.
type shape byte

const (
	shapeA shape = 'a' // no dead-letter, no IAM
	shapeB shape = 'b' // default dead-letter and one IAM member per resource
)

func (s shape) String() string {
	if s == shapeA {
		return "(a) no DLQ, no IAM"
	}
	return "(b) DLQ + IAM"
}

// resources is the number of resources apply creates for n pairs.
func (s shape) resources(n int) (topics, subs, policies int) {
	if s == shapeA {
		return n, n, 0
	}
	// topic t, subscription s, topic s-dlq, subscription s-dlq; policies on
	// t (publisher), s (subscriber + the service agent's dead-letter grant)
	// and s-dlq (the service agent's publisher grant).
	return 2 * n, 2 * n, 3 * n
}

// managesIAM reports whether pubsubctl manages the IAM of a resource of
// this shape (and so reads its policy on every plan).
func (s shape) managesIAM(isTopic bool, id string) bool {
	if s == shapeA {
		return false
	}
	return isTopic || !strings.HasSuffix(id, "-dlq")
}

// writeConfig writes the configuration of n pairs of the shape into dir:
// main.hcl and one file per pairsPerFile pairs.
func writeConfig(dir string, s shape, n int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "pubsubctl {\n  project        = %q\n  stack          = \"bench\"\n  project_number = %q\n}\n", benchProject, projectNumber)
	if s == shapeA {
		b.WriteString("\ndefaults {\n  subscription {\n    dead_letter {\n      enabled = false\n      reason  = \"bench\"\n    }\n  }\n}\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	for first := 0; first < n; first += pairsPerFile {
		b.Reset()
		for i := first; i < n && i < first+pairsPerFile; i++ {
			if s == shapeA {
				fmt.Fprintf(&b, "topic \"t%05d\" {}\n\nsubscription \"s%05d\" {\n  topic = topic.t%05d\n}\n\n", i, i, i)
				continue
			}
			fmt.Fprintf(&b, "topic \"t%05d\" {\n  publishers = [\"serviceAccount:pub%05d@%s.iam.gserviceaccount.com\"]\n}\n\n", i, i, benchProject)
			fmt.Fprintf(&b, "subscription \"s%05d\" {\n  topic       = topic.t%05d\n  subscribers = [\"serviceAccount:sub%05d@%s.iam.gserviceaccount.com\"]\n}\n\n", i, i, i, benchProject)
		}
		name := filepath.Join(dir, fmt.Sprintf("r%05d.hcl", first/pairsPerFile))
		if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}
