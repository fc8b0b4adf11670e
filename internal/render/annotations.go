package render

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// DiagnosticsJSON writes diagnostics as data, one JSON object a line:
// {"file", "line", "column", "severity", "summary", "detail"} (file, line
// and column are empty or 0 for a diagnostic without a position). At most
// MaxDiagnostics are written, then one {"severity": "info", "summary":
// "N more not shown"} line.
func DiagnosticsJSON(w io.Writer, diags hcl.Diagnostics) error {
	type jsonDiagnostic struct {
		File     string `json:"file"`
		Line     int    `json:"line"`
		Column   int    `json:"column"`
		Severity string `json:"severity"`
		Summary  string `json:"summary"`
		Detail   string `json:"detail"`
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i, d := range diags {
		if i == MaxDiagnostics {
			return enc.Encode(jsonDiagnostic{Severity: "info", Summary: fmt.Sprintf("%d more not shown", len(diags)-i)})
		}
		jd := jsonDiagnostic{Severity: severityName(d.Severity), Summary: d.Summary, Detail: d.Detail}
		if d.Subject != nil {
			jd.File, jd.Line, jd.Column = d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column
		}
		if err := enc.Encode(jd); err != nil {
			return err
		}
	}
	return nil
}

// DiagnosticsGitHub writes diagnostics as GitHub Actions workflow commands
// (::error file=F,line=L,col=C,title=SUMMARY::DETAIL, ::warning likewise),
// so that a pull request shows them on the lines they are about. At most
// MaxDiagnostics are written, then a ::notice saying how many more there
// are.
func DiagnosticsGitHub(w io.Writer, diags hcl.Diagnostics) error {
	for i, d := range diags {
		if i == MaxDiagnostics {
			_, err := fmt.Fprintf(w, "::notice title=pubsubctl::%d more diagnostics not shown\n", len(diags)-i)
			return err
		}
		var props []string
		if d.Subject != nil {
			props = append(props,
				"file="+ghProperty(d.Subject.Filename),
				fmt.Sprintf("line=%d", d.Subject.Start.Line),
				fmt.Sprintf("col=%d", d.Subject.Start.Column),
				fmt.Sprintf("endLine=%d", d.Subject.End.Line))
		}
		props = append(props, "title="+ghProperty(d.Summary))
		cmd := "error"
		if d.Severity == hcl.DiagWarning {
			cmd = "warning"
		}
		msg := d.Detail
		if msg == "" {
			msg = d.Summary
		}
		if _, err := fmt.Fprintf(w, "::%s %s::%s\n", cmd, strings.Join(props, ","), ghData(msg)); err != nil {
			return err
		}
	}
	return nil
}

func severityName(s hcl.DiagnosticSeverity) string {
	if s == hcl.DiagWarning {
		return "warning"
	}
	return "error"
}

// ghData escapes a workflow command's message.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a workflow command's property value.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
