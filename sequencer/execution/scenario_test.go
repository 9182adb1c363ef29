package execution_test

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/sequencer/contract"
	"github.com/kairo-dev/kairo/sequencer/execution"
	"github.com/kairo-dev/kairo/sequencer/internal/reference"
	"github.com/kairo-dev/kairo/sequencer/state"
	"github.com/kairo-dev/kairo/vm/felt"
)

func TestScenarioERC20DirectV0(t *testing.T) {
	sc := reference.Load(t, "scenario_erc20_direct_v0.json")
	cls, err := contract.Load(reference.ClassFile(t, sc.ClassFiles["erc20"]))
	if err != nil {
		t.Fatal(err)
	}
	classes := execution.NewClassMap()
	st := execution.NewMemState()
	env := sc.Environment
	newCtx := func(tx reference.Tx) *execution.Context {
		return &execution.Context{
			Block:    execution.BlockInfo{Number: env.BlockInfo.Number, Timestamp: env.BlockInfo.Timestamp, SequencerAddress: reference.Felt(env.SequencerAddress)},
			Tx:       execution.TxInfo{Version: felt.FromUint64(uint64(tx.Version)), Hash: reference.Felt(tx.TxHash), ChainID: reference.Felt(env.ChainID)},
			Classes:  classes,
			MaxSteps: env.MaxSteps,
		}
	}
	matched := 0
	for _, tx := range sc.Transactions {
		t.Run(tx.Label, func(t *testing.T) {
			defer func() {
				if !t.Failed() {
					matched++
				}
			}()
			switch tx.TxType {
			case "DeprecatedInternalDeclare":
				if cls.Hash.String() != tx.ClassHash {
					t.Fatalf("class hash %s, want %s", cls.Hash, tx.ClassHash)
				}
				classes.Declare(cls)
			case "InternalDeploy":
				addr := execution.ContractAddress(reference.Felt(tx.Salt), reference.Felt(tx.ClassHash), reference.Felts(tx.ConstructorCalldata), felt.Zero)
				if addr.String() != tx.ContractAddress {
					t.Fatalf("contract address %s, want %s", addr, tx.ContractAddress)
				}
				o := execution.NewOverlay(st)
				if err := execution.Deploy(newCtx(tx), o, addr, reference.Felt(tx.ClassHash)); err != nil {
					t.Fatal(err)
				}
				ci, err := execution.Run(newCtx(tx), o, execution.Entry{Contract: addr, Selector: contract.ConstructorSelector,
					Calldata: reference.Felts(tx.ConstructorCalldata), Type: contract.Constructor})
				if err != nil {
					t.Fatal(err)
				}
				reference.CompareCall(t, tx.Label, ci, tx.Execute)
				compareWrites(t, o, tx)
				if err := o.Commit(); err != nil {
					t.Fatal(err)
				}
			case "DeprecatedInternalInvokeFunction":
				if contract.Selector(tx.EntryPoint).String() != tx.Selector {
					t.Fatalf("selector of %s: %s, want %s", tx.EntryPoint, contract.Selector(tx.EntryPoint), tx.Selector)
				}
				o := execution.NewOverlay(st)
				ci, err := execution.Run(newCtx(tx), o, execution.Entry{Contract: reference.Felt(tx.ContractAddress), Selector: reference.Felt(tx.Selector),
					Calldata: reference.Felts(tx.Calldata), Type: contract.External})
				if tx.Status == "REJECTED" {
					reference.CheckRejection(t, err, tx)
					if len(o.Writes()) != 0 {
						t.Errorf("a rejected call left writes: %v", o.Writes())
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				reference.CompareCall(t, tx.Label, ci, tx.Execute)
				compareWrites(t, o, tx)
				if err := o.Commit(); err != nil {
					t.Fatal(err)
				}
			default:
				t.Fatalf("unexpected transaction type %s", tx.TxType)
			}
		})
	}
	t.Logf("scenario transactions matched: %d/%d", matched, len(sc.Transactions))
}

func compareWrites(t *testing.T, o *execution.Overlay, tx reference.Tx) {
	t.Helper()
	var got, want []string
	for _, kv := range o.Writes() {
		switch kv.Key.Kind {
		case state.Storage:
			got = append(got, kv.Key.Contract.String()+" "+kv.Key.Slot.String()+" "+kv.Value.String())
		case state.ClassHash:
			got = append(got, "deploy "+kv.Key.Contract.String()+" "+kv.Value.String())
		}
	}
	for _, w := range tx.StateDiff.StorageWrites {
		want = append(want, w.Contract+" "+w.Key+" "+w.Value)
	}
	for a, c := range tx.StateDiff.Deployed {
		want = append(want, "deploy "+a+" "+c)
	}
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("state writes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
