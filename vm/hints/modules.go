package hints

// module is a group of hints of one common-library module, as listed by
// `kairo hints list`.
type module struct {
	Name  string
	Hints func() map[string]Func
}

// modules lists every hint module. Add a module here to register it.
func modules() []module {
	return []module{
		{"alloc", allocHints},
		{"memcpy", memcpyHints},
		{"memset", memsetHints},
		{"scopes", scopeHints},
		{"math", mathHints},
		{"math_cmp", mathCmpHints},
		{"pow", powHints},
		{"find_element", findElementHints},
		{"set", setHints},
		{"usort", usortHints},
		{"signature", signatureHints},
		{"segments", segmentsHints},
		{"storage", storageHints},
		{"builtin_poseidon", poseidonHints},
		{"misc", miscHints},
		{"cairo_secp.bigint", secpBigintHints},
		{"cairo_secp.field", secpFieldHints},
		{"cairo_secp.ec", secpECHints},
		{"cairo_secp.signature", secpSignatureHints},
		{"ec_recover", secpRecoverHints},
		{"ec_bigint", ecBigintHints},
		{"vrf", vrfHints},
		{"uint384", uint384Hints},
		{"ec", ecOpHints},
		{"dict", dictHints},
		{"squash_dict", squashDictHints},
		{"uint256", uint256Hints},
		{"keccak", keccakHints},
		{"sha256", sha256Hints},
		{"blake2s", blake2sHints},
	}
}
