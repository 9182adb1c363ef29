package txn

import "path/filepath"

var sharedDir = filepath.Join("..", "..", "..", "shared")
