// The drill is a main package, so its test lives inside it.
package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// fixture: product hot (100) and cold (10); request k1 bought 2 hot + 1 cold as order o1,
// k2 bought 3 hot as o2, k3 was refused.
func fixture() ([]*request, []product, books) {
	products := []product{{ID: "hot", SKU: "HOT", Stock: 100, Hot: true}, {ID: "cold", SKU: "COLD", Stock: 10}}
	reqs := []*request{
		{Key: "k1", UserID: "u1", Lines: []line{{"hot", 2}, {"cold", 1}}, Status: 201, OrderIDs: []string{"o1"}, Attempts: 2},
		{Key: "k2", UserID: "u2", Lines: []line{{"hot", 3}}, Status: 201, OrderIDs: []string{"o2", "o2"}, Attempts: 3},
		{Key: "k3", UserID: "u1", Lines: []line{{"cold", 50}}, Status: 409, Attempts: 1},
	}
	db := books{
		Stock: map[string]int{"hot": 95, "cold": 9},
		Orders: map[string]dbOrder{
			"o1": {UserID: "u1", Status: "placed", Lines: map[string]int{"hot": 2, "cold": 1}},
			"o2": {UserID: "u2", Status: "placed", Lines: map[string]int{"hot": 3}},
		},
		Keys: map[keyID]string{{"u1", "k1"}: "o1", {"u2", "k2"}: "o2"},
	}
	return reqs, products, db
}

func TestReconcile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(reqs []*request, db *books)
		check  func(t *testing.T, r report)
	}{
		{"balanced books pass", func([]*request, *books) {}, func(t *testing.T, r report) {
			assert.True(t, r.ok())
			assert.Equal(t, 3, r.Requests)
			assert.Equal(t, 6, r.Attempts)
			assert.Equal(t, 2, r.Acknowledged)
			assert.Equal(t, 1, r.Refused)
			assert.Equal(t, []balance{{"HOT", 100, 95, 5, 5}, {"COLD", 10, 9, 1, 1}}, r.Stock)
		}},
		{"an acknowledged order missing from the database is lost", func(_ []*request, db *books) {
			delete(db.Orders, "o2")
			db.Stock["hot"] = 98
		}, func(t *testing.T, r report) {
			assert.False(t, r.ok())
			assert.Len(t, r.Lost, 1)
			assert.False(t, r.Stock[0].ok(), "acknowledged 5 hot units, 2 in the database")
		}},
		{"a second order for one request is a duplicate", func(reqs []*request, db *books) {
			reqs[1].OrderIDs = append(reqs[1].OrderIDs, "o3")
			db.Orders["o3"] = dbOrder{UserID: "u2", Status: "placed", Lines: map[string]int{"hot": 3}}
			db.Stock["hot"] = 92
		}, func(t *testing.T, r report) {
			assert.False(t, r.ok())
			assert.Len(t, r.Duplicated, 1)
			assert.Contains(t, r.Duplicated[0], "answered with 2 orders")
		}},
		{"an order no answer accounts for is a duplicate, though stock taken equals the units in orders", func(_ []*request, db *books) {
			db.Orders["o4"] = dbOrder{UserID: "u1", Status: "placed", Lines: map[string]int{"cold": 9}}
			db.Stock["cold"] = 0
		}, func(t *testing.T, r report) {
			assert.False(t, r.ok())
			assert.Len(t, r.Duplicated, 1)
			assert.Contains(t, r.Duplicated[0], "no idempotency key points at it")
			assert.Equal(t, balance{"COLD", 10, 0, 10, 1}, r.Stock[1])
		}},
		{"stock taken without an order breaks conservation", func(_ []*request, db *books) {
			db.Stock["cold"] = 8
		}, func(t *testing.T, r report) {
			assert.False(t, r.ok())
			assert.Empty(t, r.Lost)
			assert.Empty(t, r.Duplicated)
			assert.False(t, r.Stock[1].ok())
		}},
		{"an order whose lines differ from the request is wrong", func(_ []*request, db *books) {
			db.Orders["o1"].Lines["hot"] = 1
		}, func(t *testing.T, r report) {
			assert.False(t, r.ok())
			assert.Len(t, r.Wrong, 1)
		}},
		{"a request still unanswered fails the drill", func(reqs []*request, _ *books) {
			reqs[2].Status = 0
		}, func(t *testing.T, r report) {
			assert.False(t, r.ok())
			assert.Equal(t, []string{"k3"}, r.Unanswered)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reqs, products, db := fixture()
			tt.mutate(reqs, &db)
			tt.check(t, reconcile(reqs, products, db))
		})
	}
}

func TestRecordKeepsTheFirstAnswer(t *testing.T) {
	t.Parallel()
	r := &request{Key: "k"}
	r.record(answer{Kind: "500"})
	r.record(answer{Kind: "connection error"})
	r.record(answer{Status: 201, Kind: "201", OrderID: "o1"})
	r.record(answer{Status: 409, Kind: "409", Code: "insufficient_stock"})
	assert.Equal(t, 4, r.Attempts)
	assert.Equal(t, 201, r.Status)
	assert.Equal(t, []string{"o1"}, r.OrderIDs)
	assert.Equal(t, []string{"answered 201, later 409"}, r.Problems)
}
