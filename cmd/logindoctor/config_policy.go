package main

import (
	"strings"

	"github.com/logindoctor/logindoctor/checks/policy"
)

// loginHours validates policy.login_hours with the parser policy.hours uses.
func loginHours(spec string, err error) (string, error) {
	if err != nil || strings.TrimSpace(spec) == "" {
		return spec, err
	}
	if _, err := policy.ParseHours(spec); err != nil {
		return "", err
	}
	return spec, nil
}
