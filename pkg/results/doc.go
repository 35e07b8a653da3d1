// Package results is neurocrypt's results schema, declared once: what an
// experiment returns (Result: tables, figures, claims, notes), the claims
// table's rows and verdicts, a run's provenance, and the results.json file
// with its codec (Encode, Read).
//
// Every other package speaks these types: experiments build them,
// pkg/report renders them to HTML, pkg/plot draws their figures,
// pkg/nbdisplay shows them in notebooks and pkg/check compares two
// results.json files. Nothing else declares a table, a claim or the
// results.json shape.
//
// results.json:
//
//	{"provenance": {...},
//	 "experiments": [{"id", "title", "profile", "summary", "claims": [...],
//	                  "tables": [{"name", "caption", "columns", "rows", "timing", "tolerances"}],
//	                  "figures": [{"name", "file"}], "notes": [...]}]}
//
// "summary" is omitted when empty (and in files written before it existed).
// Claims write NaN numbers as null. Table cells are numbers, strings,
// booleans or null (NaN and ±Inf floats are written as null); floats are
// always written with a decimal point or exponent ("3.0"), so that Read gives
// back float64 for floats and int for integers.
package results
