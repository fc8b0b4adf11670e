// Package citest tests the CI recipes in examples/ci: the GitHub Actions
// workflows are linted with actionlint and their shell steps are run against
// the embedded emulator; the GitLab pipeline is checked to be valid YAML with
// its two jobs. It has no non-test code.
package citest
