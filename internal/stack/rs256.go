package stack

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
)

// verifyRS256 checks an RS256 signature of signed.
func verifyRS256(pub *rsa.PublicKey, signed string, sig []byte) error {
	sum := sha256.Sum256([]byte(signed))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
}
