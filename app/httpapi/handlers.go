package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/app/telemetry"
)

func (a *api) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (a *api) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := a.readiness.Ping(ctx); err != nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable).SetInternal(err)
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func pathID(c echo.Context, what string) (string, error) {
	id, ok := shop.ParseID(c.Param("id"))
	if !ok {
		return "", shop.Errorf(shop.CodeNotFound, "no %s with this id", what)
	}
	return id, nil
}

func (a *api) listProducts(c echo.Context) error {
	q, err := shop.ParseProductQuery(c.QueryParams())
	if err != nil {
		return err
	}
	page, err := a.search.SearchProducts(c.Request().Context(), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func (a *api) getProduct(c echo.Context) error {
	id, err := pathID(c, "product")
	if err != nil {
		return err
	}
	p, err := a.products.GetProduct(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (a *api) register(c echo.Context) error {
	r, err := bodyAs(a, c, shop.ParseRegistration)
	if err != nil {
		return err
	}
	u, s, err := a.accounts.Register(c.Request().Context(), r, c.RealIP())
	if err != nil {
		return err
	}
	setSessionCookie(c, s)
	return c.JSON(http.StatusCreated, u)
}

func (a *api) login(c echo.Context) error {
	cred, err := bodyAs(a, c, shop.ParseCredentials)
	if err != nil {
		return err
	}
	u, s, err := a.accounts.Login(c.Request().Context(), cred, c.RealIP())
	if err != nil {
		return err
	}
	setSessionCookie(c, s)
	return c.JSON(http.StatusOK, u)
}

func (a *api) logout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" && len(ck.Value) <= 100 {
		if err := a.accounts.DeleteSession(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	clearSessionCookie(c)
	return c.NoContent(http.StatusNoContent)
}

func (a *api) me(c echo.Context) error {
	return c.JSON(http.StatusOK, currentUser(c))
}

func (a *api) placeOrder(c echo.Context) error {
	key, err := shop.ParseIdempotencyKey(c.Request().Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	req, err := bodyAs(a, c, shop.ParseOrder)
	if err != nil {
		return refused(c, err)
	}
	res, err := a.orders.PlaceOrder(c.Request().Context(), currentUser(c).ID, key, req,
		func(o shop.Order) ([]byte, error) { return json.Marshal(o) })
	if err != nil {
		return refused(c, err)
	}
	if res.Replay {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	} else {
		telemetry.OrderPlaced(c.Request().Context())
	}
	if a.payments.On() && res.Status == http.StatusCreated {
		return a.checkout(c, res.Body)
	}
	return c.JSONBlob(res.Status, res.Body)
}

// refused counts an order the shop did not accept, by its error code (internal for a failure
// that has none), and returns err for the error handler.
func refused(c echo.Context, err error) error {
	telemetry.OrderRefused(c.Request().Context(), string(shop.ErrorCode(err)))
	return err
}

func (a *api) listOrders(c echo.Context) error {
	orders, err := a.orders.ListOrders(c.Request().Context(), currentUser(c).ID)
	if err != nil {
		return err
	}
	if orders == nil {
		orders = []shop.Order{}
	}
	return c.JSON(http.StatusOK, map[string][]shop.Order{"items": orders})
}

func (a *api) getOrder(c echo.Context) error {
	id, err := pathID(c, "order")
	if err != nil {
		return err
	}
	get := a.orders.GetOrder
	if a.payments.On() {
		get = a.payments.Checkout // the client secret, for the owner's own order page only
	}
	o, err := get(c.Request().Context(), currentUser(c).ID, id)
	if err != nil {
		return err
	}
	return orderJSON(c, http.StatusOK, o)
}

func (a *api) cancelOrder(c echo.Context) error {
	id, err := pathID(c, "order")
	if err != nil {
		return err
	}
	if a.payments.On() {
		o, handled, err := a.payments.Cancel(c.Request().Context(), currentUser(c).ID, id)
		if handled || err != nil {
			if err != nil {
				return err
			}
			return orderJSON(c, http.StatusOK, o)
		}
	}
	o, err := a.orders.CancelOrder(c.Request().Context(), currentUser(c).ID, id)
	if err != nil {
		return err
	}
	return orderJSON(c, http.StatusOK, o)
}

func (a *api) createProduct(c echo.Context) error {
	np, err := bodyAs(a, c, shop.ParseNewProduct)
	if err != nil {
		return err
	}
	p, err := a.products.CreateProduct(c.Request().Context(), np)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, p)
}

func (a *api) updateProduct(c echo.Context) error {
	id, err := pathID(c, "product")
	if err != nil {
		return err
	}
	patch, err := bodyAs(a, c, shop.ParseProductPatch)
	if err != nil {
		return err
	}
	p, err := a.products.UpdateProduct(c.Request().Context(), id, patch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}
