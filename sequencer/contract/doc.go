// Package contract loads Starknet Cairo 0 contract classes and computes
// their class hashes and entry-point selectors.
//
// A class is read in either form Starknet tools exchange: the compiled form
// that starknet-compile writes ({"abi", "entry_points_by_type", "program"}
// with the program as a JSON object) and the RPC form, where the program is
// a base64 string of the gzipped program JSON (optionally wrapped in a
// JSON-RPC {"result": ...} envelope). The class hash is computed exactly as
// cairo-lang's compute_deprecated_class_hash does, including the hinted
// class hash over cairo-lang's particular JSON serialization of the program.
package contract
