package vm

// SetGenericOnly makes v execute every instruction on the general path, for
// differential tests of the fast path.
func SetGenericOnly(v *VM, on bool) { v.genericOnly = on }
