package main

import (
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/shopstack/shopstack/app/postgres"
)

// flashConfig is how orders for a hot product are placed: grouped into one transaction
// (SHOP_GROUP_COMMIT, _WINDOW, _MAX_BATCH) and refused without one once sold out
// (SHOP_SOLD_OUT_FAST_PATH). See app/README.md, "Flash sales".
type flashConfig struct {
	Group   postgres.GroupCommit
	SoldOut bool
}

// loadFlashConfig reads the flash-sale variables; each bad one is reported with what it wants.
func loadFlashConfig(getenv func(string) string) (flashConfig, []error) {
	c := flashConfig{
		Group:   postgres.GroupCommit{Window: postgres.DefaultGroupWindow, MaxBatch: postgres.DefaultGroupMaxBatch},
		SoldOut: true,
	}
	var errs []error
	onOff := func(name string, dst *bool) {
		switch v := getenv(name); v {
		case "", "on":
			*dst = true
		case "off":
			*dst = false
		default:
			errs = append(errs, fmt.Errorf("%s=%q: want on (the default) or off", name, v))
		}
	}
	var group bool
	onOff("SHOP_GROUP_COMMIT", &group)
	c.Group.Off = !group
	onOff("SHOP_SOLD_OUT_FAST_PATH", &c.SoldOut)
	if v := getenv("SHOP_GROUP_COMMIT_WINDOW"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > postgres.MaxGroupWindow {
			errs = append(errs, fmt.Errorf("SHOP_GROUP_COMMIT_WINDOW=%q: want a duration from 0 to %s, such as %s",
				v, postgres.MaxGroupWindow, postgres.DefaultGroupWindow))
		}
		c.Group.Window = d
	}
	if v := getenv("SHOP_GROUP_COMMIT_MAX_BATCH"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > postgres.MaxGroupMaxBatch {
			errs = append(errs, fmt.Errorf("SHOP_GROUP_COMMIT_MAX_BATCH=%q: want an integer from 1 to %d (orders per group transaction)",
				v, postgres.MaxGroupMaxBatch))
		}
		c.Group.MaxBatch = n
	}
	return c, errs
}

func (c flashConfig) storeOptions() []postgres.Option {
	return []postgres.Option{postgres.WithGroupCommit(c.Group), postgres.WithSoldOutFastPath(c.SoldOut)}
}

func (c flashConfig) logAttr() slog.Attr {
	onOff := map[bool]string{true: "on", false: "off"}
	return slog.Group("flash",
		slog.String("SHOP_GROUP_COMMIT", onOff[!c.Group.Off]),
		slog.String("SHOP_GROUP_COMMIT_WINDOW", c.Group.Window.String()),
		slog.Int("SHOP_GROUP_COMMIT_MAX_BATCH", c.Group.MaxBatch),
		slog.String("SHOP_SOLD_OUT_FAST_PATH", onOff[c.SoldOut]))
}
