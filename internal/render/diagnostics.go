package render

import (
	"fmt"
	"io"

	"github.com/hashicorp/hcl/v2"
)

// Diagnostics writes configuration diagnostics: for each one a compact
// `file:line,col: severity: summary` line (what editors and CI annotations
// parse), then HCL's own rendering with the source snippet, the subject
// underlined and the detail. files is the parser's file map; a diagnostic
// whose file is missing from it is written without a snippet. Colour is used
// only when o.Color is set. Details are not wrapped, so that output does not
// depend on the terminal.
func Diagnostics(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics, o Options) error {
	if len(diags) == 0 {
		return nil
	}
	dw := hcl.NewDiagnosticTextWriter(w, files, 0, o.Color)
	for _, d := range diags {
		if _, err := fmt.Fprintln(w, DiagnosticLine(d)); err != nil {
			return err
		}
		if err := dw.WriteDiagnostic(d); err != nil {
			return err
		}
	}
	return nil
}

// DiagnosticLine renders a diagnostic as `file:line,col: severity: summary`
// (without a position when it has no subject).
func DiagnosticLine(d *hcl.Diagnostic) string {
	sev := "error"
	if d.Severity == hcl.DiagWarning {
		sev = "warning"
	}
	if d.Subject == nil {
		return fmt.Sprintf("%s: %s", sev, d.Summary)
	}
	return fmt.Sprintf("%s:%d,%d: %s: %s", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column, sev, d.Summary)
}
