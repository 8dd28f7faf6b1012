package shop

import "strings"

// SeedProduct is a product of the demo catalog.
type SeedProduct struct {
	NewProduct
	// FormerImageURLs are image URLs earlier versions of the demo catalog gave the product.
	// Seeding again replaces one of them with ImageURL; any other image URL is an admin's
	// choice and is kept.
	FormerImageURLs []string
}

// DemoCatalog is the catalog `make dev` loads: a few dozen products across categories.
// Each product has its own picture, drawn by the storefront's build from the product's
// attributes (site/sitebuild, at DemoImageURL), so the catalog looks right offline and
// the CSP needs no third-party image host.
func DemoCatalog() []SeedProduct {
	type item struct {
		sku, name, desc string
		price           int64
		stock           int
	}
	categories := []struct {
		name  string
		items []item
	}{
		{"apparel", []item{
			{"TEE-CLASSIC", "Classic T-Shirt", "Heavyweight organic cotton tee.", 1999, 50},
			{"TEE-POCKET", "Pocket T-Shirt", "Relaxed fit with a chest pocket.", 2299, 40},
			{"HOOD-ZIP", "Zip Hoodie", "Brushed fleece, full zip.", 5499, 25},
			{"CAP-BASE", "Baseball Cap", "Six-panel cotton twill cap.", 1899, 60},
			{"SOCK-3PK", "Crew Socks, 3 Pack", "Merino blend, cushioned sole.", 1599, 80},
			{"JACKET-RAIN", "Rain Jacket", "Packable and waterproof.", 8999, 15},
		}},
		{"kitchen", []item{
			{"MUG-STONE", "Stoneware Mug", "Hand-glazed, 350 ml.", 1499, 70},
			{"KNIFE-CHEF", "Chef's Knife", "20 cm, high-carbon steel.", 7999, 12},
			{"PAN-CAST", "Cast Iron Pan", "Pre-seasoned, 26 cm.", 4599, 20},
			{"BOARD-OAK", "Oak Cutting Board", "End-grain oak.", 3999, 18},
			{"KETTLE-GOOSE", "Gooseneck Kettle", "For pour-over coffee.", 4999, 22},
			{"TOWEL-LINEN", "Linen Tea Towels", "Set of two.", 1799, 45},
		}},
		{"books", []item{
			{"BOOK-GO", "Learning Go", "An idiomatic approach to real-world Go programming.", 3999, 30},
			{"BOOK-SQL", "SQL Performance Explained", "Indexing for developers.", 3499, 25},
			{"BOOK-DDIA", "Designing Data-Intensive Applications", "The big ideas behind reliable systems.", 4499, 35},
			{"BOOK-SRE", "Site Reliability Engineering", "How Google runs production systems.", 3999, 20},
			{"BOOK-UNIX", "The Unix Programming Environment", "A classic.", 2999, 10},
			{"BOOK-TAOCP", "The Art of Computer Programming, Vol. 1", "Fundamental algorithms.", 7999, 5},
		}},
		{"outdoor", []item{
			{"BOTTLE-STEEL", "Steel Water Bottle", "Insulated, 750 ml.", 2999, 55},
			{"TENT-2P", "Two-Person Tent", "Three-season, 1.9 kg.", 24999, 8},
			{"LAMP-HEAD", "Head Lamp", "400 lumens, rechargeable.", 3499, 40},
			{"PACK-DAY", "Day Pack", "22 litres, recycled nylon.", 6999, 16},
			{"STOOL-CAMP", "Camp Stool", "Folds flat.", 2499, 30},
			{"MAT-SLEEP", "Sleeping Mat", "Self-inflating.", 5999, 14},
		}},
		{"electronics", []item{
			{"CABLE-USBC", "USB-C Cable", "2 m, 100 W.", 1299, 100},
			{"CHARGER-65", "65 W Charger", "GaN, two ports.", 3999, 35},
			{"EARBUDS-PRO", "Wireless Earbuds", "Noise cancelling.", 12999, 20},
			{"KEYB-MECH", "Mechanical Keyboard", "Tenkeyless, hot-swap switches.", 10999, 12},
			{"MOUSE-ERGO", "Ergonomic Mouse", "Vertical grip.", 4999, 25},
			{"SPEAKER-MINI", "Mini Speaker", "Bluetooth, splash-proof.", 3999, 30},
		}},
		{"home", []item{
			{"CANDLE-CEDAR", "Cedar Candle", "Soy wax, 40 hours.", 2199, 40},
			{"THROW-WOOL", "Wool Throw", "130 x 170 cm.", 8999, 10},
			{"PLANT-POT", "Ceramic Plant Pot", "With drainage saucer.", 2799, 35},
			{"CLOCK-WALL", "Wall Clock", "Silent sweep movement.", 3999, 15},
			{"FRAME-A4", "A4 Picture Frame", "Solid ash.", 1999, 50},
			{"VASE-GLASS", "Glass Vase", "Mouth-blown.", 3499, 20},
		}},
	}
	var out []SeedProduct
	for _, c := range categories {
		for _, it := range c.items {
			out = append(out, SeedProduct{
				NewProduct: NewProduct{
					SKU: it.sku, Name: it.name, Description: it.desc, PriceCents: it.price, Currency: "USD",
					Stock: it.stock, Category: c.name,
					ImageURL: DemoImageURL(it.sku),
				},
				// Until December 2026 every product of a category showed the category's
				// picture; until November 2026 they came from picsum.photos, which many
				// networks cannot reach.
				FormerImageURLs: []string{
					"/images/" + c.name + ".svg",
					"https://picsum.photos/seed/" + strings.ToLower(it.sku) + "/600/400",
				},
			})
		}
	}
	return out
}

// DemoImageURL is where the storefront serves a demo product's own picture: a site path,
// written by the site build for every product of DemoCatalog.
func DemoImageURL(sku string) string {
	return "/images/products/" + strings.ToLower(sku) + ".svg"
}
