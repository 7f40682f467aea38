package catalog

// Category is one of the eleven kinds of items (C1). The string value is the
// stable English name used in JSON, URLs and the database.
type Category string

const (
	Licensing     Category = "licensing"       // 行政许可
	Penalty       Category = "penalty"         // 行政处罚
	Coercion      Category = "coercion"        // 行政强制
	Levy          Category = "levy"            // 行政征收
	BenefitPay    Category = "benefit_payment" // 行政给付
	Inspection    Category = "inspection"      // 行政检查
	Confirmation  Category = "confirmation"    // 行政确认
	Reward        Category = "reward"          // 行政奖励
	Adjudication  Category = "adjudication"    // 行政裁决
	OtherPower    Category = "other_power"     // 其他行政权力
	PublicService Category = "public_service"  // 基本公共服务
)

// CategoryInfo describes a category for forms, exports and codes.
type CategoryInfo struct {
	Category Category
	// Code is the two-digit 事项类型代码 that opens a basic code (基本编码),
	// as in the national catalogue coding rules (GB/T 39554.1): 01–10 for
	// the ten kinds of administrative power, 20 for public services.
	Code string
	// Abbr is the two-letter abbreviation many provincial lists use (XK, CF …).
	Abbr string
	Zh   string
	En   string
	// Service marks the categories handled on application (依申请): these are
	// government-service items (政务服务事项) and carry the C8 three-day
	// publication deadline; penalties, coercion, levies and inspections are
	// started by the body itself.
	Service bool
}

// Categories lists the eleven categories in the order of seed 000 art. 3.
var Categories = []CategoryInfo{
	{Licensing, "01", "XK", "行政许可", "administrative licensing", true},
	{Penalty, "02", "CF", "行政处罚", "administrative penalty", false},
	{Levy, "04", "ZS", "行政征收", "administrative levy", false},
	{BenefitPay, "05", "JF", "行政给付", "administrative benefit payment", true},
	{Reward, "08", "JL", "行政奖励", "administrative reward", true},
	{Coercion, "03", "QZ", "行政强制", "administrative coercive measure", false},
	{Confirmation, "07", "QR", "行政确认", "administrative confirmation", true},
	{Adjudication, "09", "CJ", "行政裁决", "administrative adjudication", true},
	{Inspection, "06", "JC", "行政检查", "administrative inspection", false},
	{PublicService, "20", "GG", "基本公共服务", "basic public service", true},
	{OtherPower, "10", "QT", "其他行政权力", "other administrative power", true},
}

// Info returns the description of c and whether c is one of the eleven.
func (c Category) Info() (CategoryInfo, bool) {
	for _, i := range Categories {
		if i.Category == c {
			return i, true
		}
	}
	return CategoryInfo{}, false
}

// Valid reports whether c is one of the eleven categories.
func (c Category) Valid() bool { _, ok := c.Info(); return ok }

// IsService reports whether items of c are government-service items (C8).
func (c Category) IsService() bool { i, _ := c.Info(); return i.Service }

// CategoryByCode returns the category whose 事项类型代码 is code.
func CategoryByCode(code string) (Category, bool) {
	for _, i := range Categories {
		if i.Code == code {
			return i.Category, true
		}
	}
	return "", false
}

// ParseCategory accepts the English name, the Chinese name, the two-digit
// code or the abbreviation (imports meet all four).
func ParseCategory(s string) (Category, bool) {
	for _, i := range Categories {
		if s == string(i.Category) || s == i.Zh || s == i.Code || s == i.Abbr {
			return i.Category, true
		}
	}
	return "", false
}
