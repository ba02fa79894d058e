package invoice

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

var errJWTShape = errors.New("invoice: not three dot-separated Base64URL parts")

// decodeJWTClaims decodes the payload of a compact JWT (header.payload.sig)
// and returns its top-level claims rendered as strings (JSON strings as is,
// numbers and other values as their JSON text). The signature is not checked.
func decodeJWTClaims(token string) (map[string]string, error) {
	_, payload, err := decodeJWT(token)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k, v := range payload {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[k] = s
		} else {
			out[k] = string(v)
		}
	}
	return out, nil
}

// decodeJWT returns the decoded header and payload objects of a compact JWT.
func decodeJWT(token string) (header, payload map[string]json.RawMessage, err error) {
	parts := strings.Split(strings.TrimSpace(token), ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return nil, nil, errJWTShape
	}
	for i, dst := range []*map[string]json.RawMessage{&header, &payload} {
		raw, err := decodeBase64Any(parts[i])
		if err != nil {
			return nil, nil, fmt.Errorf("invoice: jwt part %d: %w", i+1, err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(dst); err != nil || *dst == nil {
			return nil, nil, fmt.Errorf("invoice: jwt part %d is not a JSON object: %v", i+1, err)
		}
	}
	return header, payload, nil
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
