// Package filter owns the Google Cloud Pub/Sub subscription filter language:
// a hand-written lexer and recursive-descent parser that validates a filter
// expression before it is sent to the service (or to an emulator such as
// pstest, which accepts several filters the real service rejects and rejects
// some it accepts).
//
// The accepted language is
//
//	filter   = andExpr | orExpr ;                  (* at most 256 bytes *)
//	andExpr  = unary { "AND" unary } ;
//	orExpr   = unary "OR" unary { "OR" unary } ;
//	unary    = ( "NOT" | "-" ) unary | primary ;
//	primary  = "(" filter ")"
//	         | "attributes" ":" key
//	         | "attributes" "." key ( "=" | "!=" ) string
//	         | "hasPrefix" "(" "attributes" "." key "," string ")" ;
//	key      = unquoted | string ;                 (* unquoted: [A-Za-z0-9_-]+ *)
//	string   = '"' { char | escape } '"' ;
//
// Whitespace (space, tab, CR, LF) may appear between any two tokens. AND, OR
// and NOT are upper case only, NOT (or its alias, unary "-") binds tightest,
// and AND and OR cannot be mixed at one nesting level without parentheses.
// Escapes (\\ \" \' \a \b \f \n \r \t \v \xHH \NNN \uXXXX \UXXXXXXXX) are
// only allowed inside string literals.
//
// [Parse] returns an [Expr] tree whose String method renders canonical syntax
// that Parse accepts again and that yields an equal tree. Every error is an
// [*Error] carrying the byte offset and 1-based rune column where the problem
// starts, and a message naming the rule that was broken.
package filter
