package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/shopstack/shopstack/app/shop"
)

// The admin console's API (besides product create and patch, handlers.go): every route needs
// an admin session (401 without a session, 403 for a shopper).

func (a *api) adminProducts(c echo.Context) error {
	q, err := shop.ParseAdminProductQuery(c.QueryParams())
	if err != nil {
		return err
	}
	page, err := a.admin.AdminProducts(c.Request().Context(), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func (a *api) adjustStock(c echo.Context) error {
	id, err := pathID(c, "product")
	if err != nil {
		return err
	}
	adj, err := bodyAs(a, c, shop.ParseStockAdjustment)
	if err != nil {
		return err
	}
	adj.ActorID = currentUser(c).ID
	var p shop.Product
	if a.admin != nil {
		p, err = a.admin.AdjustStockBy(c.Request().Context(), id, adj)
	} else { // an API without the console: no movement history to keep
		p, err = a.products.AdjustStock(c.Request().Context(), id, adj.Delta)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (a *api) stockMovements(c echo.Context) error {
	id, err := pathID(c, "product")
	if err != nil {
		return err
	}
	items, err := a.admin.StockMovements(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string][]shop.StockMovement{"items": items})
}

func (a *api) adminOrders(c echo.Context) error {
	q, err := shop.ParseAdminOrderQuery(c.QueryParams())
	if err != nil {
		return err
	}
	page, err := a.admin.AdminOrders(c.Request().Context(), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func (a *api) adminCancelOrder(c echo.Context) error {
	id, err := pathID(c, "order")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if a.payments.On() {
		// A paid order is refunded and a pending one has its intent cancelled, as when its owner
		// cancels it: the console goes through the same payment rules.
		owner, err := a.admin.OrderOwner(ctx, id)
		if err != nil {
			return err
		}
		o, handled, err := a.payments.Cancel(ctx, owner, id)
		if err != nil {
			return err
		}
		if handled {
			return c.JSON(http.StatusOK, o)
		}
	}
	o, err := a.admin.AdminCancelOrder(ctx, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, o)
}

func (a *api) getShop(c echo.Context) error {
	return c.JSON(http.StatusOK, a.shopInfo)
}
