package model

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

var (
	// Project IDs, optionally domain-scoped (example.com:my-project).
	projectIDRE     = regexp.MustCompile(`^(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$`)
	projectNumberRE = regexp.MustCompile(`^[0-9]{1,20}$`)
	labelKeyRE      = runesRE{regexp.MustCompile(`^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]*$`), 63}
	labelValueRE    = runesRE{regexp.MustCompile(`^[\p{Ll}\p{Lo}\p{N}_-]*$`), 63}
	kmsKeyRE        = regexp.MustCompile(`^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$`)
	emailRE         = regexp.MustCompile(`^[^@\s:/]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$`)
	domainRE        = regexp.MustCompile(`^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$`)
	bucketRE        = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$`)
	datasetRE       = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
)

// IsEmail reports whether s is an e-mail address as IAM members and
// service accounts write them.
func IsEmail(s string) bool { return emailRE.MatchString(s) }

// IsDomain reports whether s is a DNS domain name.
func IsDomain(s string) bool { return domainRE.MatchString(s) }

// IsProjectID reports whether s is a Google Cloud project ID.
func IsProjectID(s string) bool { return projectIDRE.MatchString(s) }

// pushEndpointProblem returns what is wrong with a push endpoint, or "".
func pushEndpointProblem(endpoint string) string {
	if endpoint == "" {
		return "The push endpoint is empty"
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return fmt.Sprintf("%q is not a valid URL", endpoint)
	}
	switch u.Scheme {
	case "https":
	case "http":
		switch u.Hostname() {
		case "localhost", "127.0.0.1", "::1":
		default:
			return fmt.Sprintf("%q uses http://; Pub/Sub only pushes to https:// endpoints", endpoint)
		}
	case "":
		return fmt.Sprintf("%q has no scheme", endpoint)
	default:
		return fmt.Sprintf("%q uses the scheme %q", endpoint, u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Sprintf("%q has no host", endpoint)
	}
	if u.User != nil {
		return fmt.Sprintf("%q contains credentials; authenticate push requests with an oidc block instead", endpoint)
	}
	return ""
}

// bigQueryTableProblem returns what is wrong with a BigQuery table name
// (PROJECT.DATASET.TABLE or PROJECT:DATASET.TABLE), or "".
func bigQueryTableProblem(table string) string {
	if table == "" {
		return "The BigQuery table is empty"
	}
	bad := fmt.Sprintf("%q is not a BigQuery table name", table)
	dot := strings.LastIndexByte(table, '.')
	if dot < 0 {
		return bad
	}
	rest, tbl := table[:dot], table[dot+1:]
	sep := strings.LastIndexAny(rest, ".:")
	if sep < 0 {
		return bad + ": it has no project"
	}
	project, dataset := rest[:sep], rest[sep+1:]
	switch {
	case tbl == "" || len(tbl) > 1024 || strings.ContainsAny(tbl, "\t\n/:"):
		return bad + fmt.Sprintf(": %q is not a table ID", tbl)
	case !datasetRE.MatchString(dataset) || len(dataset) > 1024:
		return bad + fmt.Sprintf(": %q is not a dataset ID (letters, digits and underscores)", dataset)
	case !projectIDRE.MatchString(project):
		return bad + fmt.Sprintf(": %q is not a project ID", project)
	}
	return ""
}

// runesRE is a pattern and a bound on the length in characters. Label
// rules are written this way because a counted repetition of Unicode
// classes ({0,62} of \p{Ll}\p{Lo}...) compiles to a program of about 4 MB,
// which every pubsubctl process would build at start.
type runesRE struct {
	re  *regexp.Regexp
	max int
}

// MatchString reports whether s has at most max characters and matches.
func (r runesRE) MatchString(s string) bool {
	return utf8.RuneCountInString(s) <= r.max && r.re.MatchString(s)
}
