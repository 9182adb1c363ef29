package kvtx

import "github.com/kairo-dev/kairo/sequencer/blockstm"

func sequential(b *Block) (*blockstm.Result[Output], error) {
	return blockstm.Sequential(b.Transactions(), b.Genesis)
}
