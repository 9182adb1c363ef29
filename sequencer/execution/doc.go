// Package execution runs entry points of Cairo 0 Starknet contracts on the
// Cairo VM as cairo-lang's Python business logic does (ExecuteEntryPoint
// for deprecated classes with DeprecatedBlSyscallHandler): the entry point
// is called with its selector, a pointer to the implicit arguments
// (syscall pointer and the class's builtins), the calldata size and
// pointer; the 18 deprecated syscalls are answered from a State, nested
// calls build a call tree with events and L2-to-L1 messages, and each call
// reports its execution resources (steps, memory holes, builtin
// instances).
//
// All state access goes through the small State interface, which both the
// Block-STM engine's transaction view and the in-memory MemState
// implement, so a contract call can run as a Block-STM transaction. Every
// call works on a write buffer over its caller's state: a call that fails
// leaves no write behind.
package execution
