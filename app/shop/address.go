package shop

import (
	"regexp"
	"strconv"

	"golang.org/x/text/language"
)

// ShippingAddress is where an order goes. Country is an ISO 3166-1 alpha-2 code.
type ShippingAddress struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	Region     string `json:"region"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

var alpha2RE = regexp.MustCompile(`^[A-Z]{2}$`)

// exceptionallyReserved are two-letter codes CLDR (and so x/text) knows as regions that ISO
// 3166-1 does not assign to a country (UK is GB; AC, CP, DG, EA, IC, TA are reserved).
var exceptionallyReserved = map[string]bool{"UK": true, "AC": true, "CP": true, "DG": true, "EA": true, "IC": true, "TA": true}

// IsCountryCode reports whether code is an assigned ISO 3166-1 alpha-2 country code, per the
// CLDR region data of golang.org/x/text (upper case only, no private-use or macro regions).
func IsCountryCode(code string) bool {
	if !alpha2RE.MatchString(code) || exceptionallyReserved[code] {
		return false
	}
	r, err := language.ParseRegion(code)
	return err == nil && r.String() == code && r.IsCountry() && !r.IsPrivateUse()
}

// parseShippingAddress validates an order's address; problems are recorded under
// "shipping_address.<field>". It returns nil for a nil address (the address is optional).
func (f *fieldErrors) parseShippingAddress(a *ShippingAddress) *ShippingAddress {
	if a == nil {
		return nil
	}
	text := func(field, v string, minLen, maxLen int) string {
		s, ok := parseText(v, minLen, maxLen, false)
		if !ok {
			problem := "must be at most " + strconv.Itoa(maxLen) + " characters without control characters"
			if minLen > 0 {
				problem = "is required, " + strconv.Itoa(minLen) + " to " + strconv.Itoa(maxLen) + " characters without control characters"
			}
			f.add("shipping_address."+field, problem)
		}
		return s
	}
	out := &ShippingAddress{
		Name:       text("name", a.Name, 1, 100),
		Line1:      text("line1", a.Line1, 1, 200),
		Line2:      text("line2", a.Line2, 0, 200),
		City:       text("city", a.City, 1, 100),
		Region:     text("region", a.Region, 0, 100),
		PostalCode: text("postal_code", a.PostalCode, 0, 20),
		Country:    a.Country,
	}
	if !IsCountryCode(a.Country) {
		f.add("shipping_address.country", "must be an ISO 3166-1 alpha-2 country code in upper case, such as DE or US")
	}
	return out
}
