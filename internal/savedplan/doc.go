// Package savedplan owns the file that `pubsubctl plan --out` writes and
// `pubsubctl apply FILE` reads: its format, its integrity digest and its
// bounds.
//
// A saved plan is a JSON envelope
//
//	{"kind": "pubsubctl-plan", "sha256": "<hex>", "content": {...}}
//
// where sha256 is the SHA-256 of the exact bytes of content. Read refuses a
// file whose content does not hash to the recorded digest ("the plan file
// was modified"), before it decodes anything else. The digest detects edits
// and corruption; it is not a signature: whoever can write the file can
// recompute it. What makes an edited plan harmless is that apply verifies
// a saved plan instead of trusting it (see docs/saved-plans.md): it
// re-derives the plan from the configuration and live state and refuses
// one that differs.
//
// The file holds configuration values, --var values included (apply reloads
// the configuration with them to verify the plan and prove convergence), so
// Write creates it with mode 0600.
package savedplan
