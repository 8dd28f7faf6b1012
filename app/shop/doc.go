// Package shop is the domain of the shop service: its types, the constructors that enforce
// their invariants, and coded errors. Storage (postgres) and transport (httpapi) are adapters
// around it; this package imports neither.
//
// One file per entity: product.go (the catalog, and catalog.go its demo data), account.go
// (users, sessions, passwords) and order.go. Each declares the Parse constructors of its input
// and the narrow storage interface its consumers depend on (ProductStore, AccountStore,
// OrderStore); parse.go holds what they share, errors.go the error codes.
package shop
