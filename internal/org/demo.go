package org

import (
	"context"
	"fmt"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
)

// AccountCreator creates login accounts for the demo staff. The auth package
// implements it (org cannot import auth's service, which depends on org's
// StaffPrincipal). mustChange=false for demo accounts, so a visitor can log
// in with the documented password at once.
type AccountCreator interface {
	CreateInitialAccount(ctx context.Context, staffID int64, login, password string, mustChange bool) error
}

// DemoPassword is the password of every demo account (docs/demo.md). It is
// for the demo only: real accounts are personal and must change their
// initial password (O3).
const DemoPassword = "qingdan-demo"

// The demo district is fictional (青山区, code 330199; no such district
// exists), built to the shape of a real one: a 区 with a 街道 and a 镇, two
// communities/villages under each, ten units and staff of every role.
type demoBody struct {
	code, parent, name string
	level              Level
}

var demoBodies = []demoBody{
	{"330199", "", "青山区", LevelDistrict},
	{"330199001", "330199", "青山街道", LevelTown},
	{"330199101", "330199", "溪口镇", LevelTown},
	{"330199001001", "330199001", "翠苑社区", LevelCommunity},
	{"330199001002", "330199001", "文华社区", LevelCommunity},
	{"330199101201", "330199101", "溪口村", LevelCommunity},
	{"330199101202", "330199101", "桃源村", LevelCommunity},
}

type demoUnit struct {
	body, code, name string
	kind             UnitKind
}

var demoUnits = []demoUnit{
	{"330199", "DZB", "党政办", KindSection},
	{"330199", "BMFW", "便民服务中心窗口", KindWindow},
	{"330199", "ZHZF", "综合执法队", KindStation},
	{"330199", "SCJG", "市场监管所", KindStation},
	{"330199", "ZRZY", "自然资源所", KindStation},
	{"330199001", "SHSW", "社会事务办", KindSection},
	{"330199001", "CSGL", "城市管理办", KindSection},
	{"330199101", "JJFZ", "经济发展办", KindSection},
	{"330199101", "TYJR", "退役军人服务站", KindStation},
	{"330199001001", "SQFW", "社区服务站", KindStation},
	// The district's other units: every unit the demo list names for an
	// item of 青山区 (catalog/demo district_*.json), so every demo case's
	// handling unit exists with a head and a liaison (O2). Codes ZZ… sort
	// after the units above.
	{"330199", "ZZ01", "行政审批科", KindSection},
	{"330199", "ZZ02", "专卖管理科", KindSection},
	{"330199", "ZZ03", "农村经营管理股", KindSection},
	{"330199", "ZZ04", "规划管理股", KindSection},
	{"330199", "ZZ05", "医政医管股", KindSection},
	{"330199", "ZZ06", "卫生监督所", KindStation},
	{"330199", "ZZ07", "渣土管理科", KindSection},
	{"330199", "ZZ08", "市政设施管理科", KindSection},
	{"330199", "ZZ09", "建管股", KindSection},
	{"330199", "ZZ10", "民办教育股", KindSection},
	{"330199", "ZZ11", "文化市场科", KindSection},
	{"330199", "ZZ12", "危险化学品监管股", KindSection},
	{"330199", "ZZ13", "种植业管理股", KindSection},
	{"330199", "ZZ14", "林业股", KindSection},
	{"330199", "ZZ15", "水资源股", KindSection},
	{"330199", "ZZ16", "社会组织管理股", KindSection},
	{"330199", "ZZ17", "登记注册科", KindSection},
	{"330199", "ZZ18", "综合行政执法大队", KindStation},
	{"330199", "ZZ19", "执法稽查大队", KindStation},
	{"330199", "ZZ20", "价格监督检查科", KindSection},
	{"330199", "ZZ21", "执法监察大队", KindStation},
	{"330199", "ZZ22", "建筑市场执法大队", KindStation},
	{"330199", "ZZ23", "文化市场综合执法大队", KindStation},
	{"330199", "ZZ24", "环境执法大队", KindStation},
	{"330199", "ZZ25", "安全生产执法大队", KindStation},
	{"330199", "ZZ26", "社会保险费和非税收入科", KindSection},
	{"330199", "ZZ27", "水土保持股", KindSection},
	{"330199", "ZZ28", "耕地保护股", KindSection},
	{"330199", "ZZ29", "环境卫生管理科", KindSection},
	{"330199", "ZZ30", "工程管理股", KindSection},
	{"330199", "ZZ31", "人口监测与家庭发展股", KindSection},
	{"330199", "ZZ32", "社会救助股", KindSection},
	{"330199", "ZZ33", "医疗救助股", KindSection},
	{"330199", "ZZ34", "救灾和物资保障股", KindSection},
	{"330199", "ZZ35", "养老服务股", KindSection},
	{"330199", "ZZ36", "社会事务股", KindSection},
	{"330199", "ZZ37", "失业保险股", KindSection},
	{"330199", "ZZ38", "学生资助管理中心", KindStation},
	{"330199", "ZZ39", "市容环卫管理科", KindSection},
	{"330199", "ZZ40", "劳动保障监察大队", KindStation},
	{"330199", "ZZ41", "食品经营监管科", KindSection},
	{"330199", "ZZ42", "康复与残疾人证管理科", KindSection},
	{"330199", "ZZ43", "婚姻登记处", KindStation},
	{"330199", "ZZ44", "就业促进股", KindSection},
	{"330199", "ZZ45", "户政管理大队", KindStation},
	{"330199", "ZZ46", "投诉举报中心", KindStation},
	{"330199", "ZZ47", "区消防安全委员会办公室", KindStation},
	{"330199", "ZZ48", "区见义勇为基金会办公室", KindStation},
	{"330199", "ZZ49", "仲裁院", KindStation},
	{"330199", "ZZ50", "地籍管理股", KindSection},
	{"330199", "ZZ51", "仲裁庭", KindStation},
	{"330199", "ZZ52", "基础教育股", KindSection},
	{"330199", "ZZ53", "疾病预防控制中心", KindStation},
	{"330199", "ZZ54", "法律援助中心", KindStation},
	{"330199", "ZZ55", "区图书馆", KindStation},
	{"330199", "ZZ56", "城乡居民养老保险股", KindSection},
	{"330199", "ZZ57", "住房保障股", KindSection},
}

type demoCert struct{ no, scope, from, to string }

type demoPerson struct {
	login         string // "" for staff without a demo account
	body, unit    string
	name, phone   string
	roles         []access.Role
	head, liaison bool
	cert          *demoCert
}

var (
	rw  = access.RoleWindow
	rus = access.RoleUnitStaff
	rll = access.RoleListLiaison
	rgo = access.RoleGeneralOffice
)

var demoStaff = []demoPerson{
	// 青山区 (district)
	{login: "admin", body: "330199", name: "赵敏", phone: "13900000001", roles: []access.Role{access.RoleAdmin}},
	{login: "leader1", body: "330199", name: "韩立", phone: "13900000002", roles: []access.Role{access.RoleLeader}},
	{login: "supervisor1", body: "330199", name: "钱正", phone: "13900000003", roles: []access.Role{access.RoleSupervisor}},
	{login: "external1", body: "330199", name: "冯清", phone: "13900000004", roles: []access.Role{access.RoleExternalSupervisor}},
	{login: "reform1", body: "330199", unit: "DZB", name: "孙建国", phone: "13900000010", roles: []access.Role{rgo}, head: true},
	{login: "office1", body: "330199", unit: "DZB", name: "周文", phone: "13900000011", roles: []access.Role{rgo, rll}, liaison: true},
	{login: "head_bmfw", body: "330199", unit: "BMFW", name: "王芳", phone: "13900000020", roles: []access.Role{rw, rus}, head: true},
	{login: "window1", body: "330199", unit: "BMFW", name: "陈晓", phone: "13900000021", roles: []access.Role{rw}},
	{body: "330199", unit: "BMFW", name: "刘洋", phone: "13900000022", roles: []access.Role{rw, rll}, liaison: true},
	{login: "head_zhzf", body: "330199", unit: "ZHZF", name: "李强", phone: "13900000030", roles: []access.Role{rus}, head: true,
		cert: &demoCert{"ZF33019900001", "城市管理,综合执法", "2024-01-01", "2029-12-31"}},
	{login: "unit1", body: "330199", unit: "ZHZF", name: "吴刚", phone: "13900000031", roles: []access.Role{rus},
		cert: &demoCert{"ZF33019900002", "城市管理,综合执法", "2024-01-01", "2029-12-31"}},
	{body: "330199", unit: "ZHZF", name: "郑丽", phone: "13900000032", roles: []access.Role{rus, rll}, liaison: true},
	{login: "head_scjg", body: "330199", unit: "SCJG", name: "马骏", phone: "13900000040", roles: []access.Role{rus}, head: true,
		cert: &demoCert{"SJ33019900001", "市场监管", "2023-07-01", "2028-06-30"}},
	{login: "liaison1", body: "330199", unit: "SCJG", name: "何静", phone: "13900000041", roles: []access.Role{rus, rll}, liaison: true},
	{login: "head_zrzy", body: "330199", unit: "ZRZY", name: "高峰", phone: "13900000050", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZRZY", name: "林娜", phone: "13900000051", roles: []access.Role{rus, rll}, liaison: true},
	// 青山街道 (street)
	{login: "qingshan_admin", body: "330199001", name: "袁华", phone: "13900000101", roles: []access.Role{access.RoleAdmin}},
	{login: "qingshan_office", body: "330199001", unit: "SHSW", name: "许明", phone: "13900000110", roles: []access.Role{rgo, rus}, head: true},
	{login: "qingshan_liaison", body: "330199001", unit: "SHSW", name: "邓雪", phone: "13900000111", roles: []access.Role{rus, rll}, liaison: true},
	{login: "qingshan1", body: "330199001", unit: "CSGL", name: "曹亮", phone: "13900000120", roles: []access.Role{rus}, head: true,
		cert: &demoCert{"ZF33019900101", "城市管理", "2025-01-01", "2030-12-31"}},
	{body: "330199001", unit: "CSGL", name: "彭悦", phone: "13900000121", roles: []access.Role{rus, rll}, liaison: true},
	// 溪口镇 (town)
	{login: "xikou_admin", body: "330199101", name: "田甜", phone: "13900000201", roles: []access.Role{access.RoleAdmin}},
	{login: "xikou1", body: "330199101", unit: "JJFZ", name: "蒋涛", phone: "13900000210", roles: []access.Role{rus}, head: true},
	{body: "330199101", unit: "JJFZ", name: "沈琳", phone: "13900000211", roles: []access.Role{rus, rll}, liaison: true},
	{login: "head_tyjr", body: "330199101", unit: "TYJR", name: "韦军", phone: "13900000220", roles: []access.Role{rus}, head: true},
	{login: "xikou_liaison", body: "330199101", unit: "TYJR", name: "杨帆", phone: "13900000221", roles: []access.Role{rus, rll}, liaison: true},
	// 翠苑社区 (community)
	{login: "community1", body: "330199001001", unit: "SQFW", name: "朱红", phone: "13900000301", roles: []access.Role{rw, rus}, head: true},
	{body: "330199001001", unit: "SQFW", name: "秦月", phone: "13900000302", roles: []access.Role{rus, rll}, liaison: true},
	// 青山区: the two administrators of separated duties (三员分立, serve
	// --separation-of-duties), last so that the ids above stay as they were.
	{login: "security1", body: "330199", name: "严谨", phone: "13900000005", roles: []access.Role{access.RoleSecurityAdmin}},
	{login: "auditor1", body: "330199", name: "贾审", phone: "13900000006", roles: []access.Role{access.RoleAuditAdmin}},
	// 青山区's seal keeper (H8): configures the approval seal, keeps its register.
	{login: "seal1", body: "330199", unit: "BMFW", name: "方印", phone: "13900000007", roles: []access.Role{access.RoleSealKeeper}},
	// The heads and liaisons of the district's other units (above), after
	// every earlier staff member so that their ids stay as they were.
	{body: "330199", unit: "ZZ01", name: "徐永刚", phone: "13900050002", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ01", name: "胡秀兰", phone: "13900050003", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ02", name: "郭德明", phone: "13900050004", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ02", name: "罗美玲", phone: "13900050005", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ03", name: "梁志明", phone: "13900050006", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ03", name: "谢桂英", phone: "13900050007", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ04", name: "宋立新", phone: "13900050008", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ04", name: "唐丽娟", phone: "13900050009", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ05", name: "曾海波", phone: "13900050010", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ05", name: "肖凤英", phone: "13900050011", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ06", name: "董国强", phone: "13900050012", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ06", name: "潘玉珍", phone: "13900050013", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ07", name: "蔡卫东", phone: "13900050014", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ07", name: "余春梅", phone: "13900050015", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ08", name: "杜文斌", phone: "13900050016", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ08", name: "叶慧敏", phone: "13900050017", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ09", name: "程晓峰", phone: "13900050018", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ09", name: "苏红梅", phone: "13900050019", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ10", name: "魏建华", phone: "13900050020", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ10", name: "吕淑芬", phone: "13900050021", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ11", name: "丁永刚", phone: "13900050022", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ11", name: "任秀兰", phone: "13900050023", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ12", name: "姚德明", phone: "13900050024", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ12", name: "卢美玲", phone: "13900050025", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ13", name: "姜志明", phone: "13900050026", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ13", name: "崔桂英", phone: "13900050027", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ14", name: "钟立新", phone: "13900050028", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ14", name: "谭丽娟", phone: "13900050029", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ15", name: "陆海波", phone: "13900050030", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ15", name: "汪凤英", phone: "13900050031", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ16", name: "范国强", phone: "13900050032", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ16", name: "金玉珍", phone: "13900050033", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ17", name: "石卫东", phone: "13900050034", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ17", name: "廖春梅", phone: "13900050035", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ18", name: "夏文斌", phone: "13900050036", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ18", name: "付慧敏", phone: "13900050037", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ19", name: "方晓峰", phone: "13900050038", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ19", name: "白红梅", phone: "13900050039", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ20", name: "邹建华", phone: "13900050040", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ20", name: "孟淑芬", phone: "13900050041", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ21", name: "熊永刚", phone: "13900050042", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ21", name: "邱秀兰", phone: "13900050043", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ22", name: "江德明", phone: "13900050044", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ22", name: "尹美玲", phone: "13900050045", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ23", name: "薛志明", phone: "13900050046", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ23", name: "闫桂英", phone: "13900050047", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ24", name: "段立新", phone: "13900050048", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ24", name: "雷丽娟", phone: "13900050049", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ25", name: "侯海波", phone: "13900050050", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ25", name: "龙凤英", phone: "13900050051", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ26", name: "史国强", phone: "13900050052", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ26", name: "陶玉珍", phone: "13900050053", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ27", name: "黎卫东", phone: "13900050054", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ27", name: "贺春梅", phone: "13900050055", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ28", name: "顾文斌", phone: "13900050056", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ28", name: "毛慧敏", phone: "13900050057", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ29", name: "郝晓峰", phone: "13900050058", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ29", name: "龚红梅", phone: "13900050059", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ30", name: "邵建华", phone: "13900050060", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ30", name: "万淑芬", phone: "13900050061", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ31", name: "覃永刚", phone: "13900050062", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ31", name: "武秀兰", phone: "13900050063", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ32", name: "戴德明", phone: "13900050064", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ32", name: "莫美玲", phone: "13900050065", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ33", name: "孔志明", phone: "13900050066", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ33", name: "向桂英", phone: "13900050067", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ34", name: "汤立新", phone: "13900050068", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ34", name: "黄丽娟", phone: "13900050069", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ35", name: "张海波", phone: "13900050070", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ35", name: "徐凤英", phone: "13900050071", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ36", name: "胡国强", phone: "13900050072", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ36", name: "郭玉珍", phone: "13900050073", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ37", name: "罗卫东", phone: "13900050074", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ37", name: "梁春梅", phone: "13900050075", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ38", name: "谢文斌", phone: "13900050076", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ38", name: "宋慧敏", phone: "13900050077", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ39", name: "唐晓峰", phone: "13900050078", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ39", name: "曾红梅", phone: "13900050079", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ40", name: "肖建华", phone: "13900050080", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ40", name: "董淑芬", phone: "13900050081", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ41", name: "潘永刚", phone: "13900050082", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ41", name: "蔡秀兰", phone: "13900050083", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ42", name: "余德明", phone: "13900050084", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ42", name: "杜美玲", phone: "13900050085", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ43", name: "叶志明", phone: "13900050086", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ43", name: "程桂英", phone: "13900050087", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ44", name: "苏立新", phone: "13900050088", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ44", name: "魏丽娟", phone: "13900050089", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ45", name: "吕海波", phone: "13900050090", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ45", name: "丁凤英", phone: "13900050091", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ46", name: "任国强", phone: "13900050092", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ46", name: "姚玉珍", phone: "13900050093", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ47", name: "卢卫东", phone: "13900050094", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ47", name: "姜春梅", phone: "13900050095", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ48", name: "崔文斌", phone: "13900050096", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ48", name: "钟慧敏", phone: "13900050097", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ49", name: "谭晓峰", phone: "13900050098", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ49", name: "陆红梅", phone: "13900050099", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ50", name: "汪建华", phone: "13900050100", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ50", name: "范淑芬", phone: "13900050101", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ51", name: "金永刚", phone: "13900050102", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ51", name: "石秀兰", phone: "13900050103", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ52", name: "廖德明", phone: "13900050104", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ52", name: "夏美玲", phone: "13900050105", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ53", name: "付志明", phone: "13900050106", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ53", name: "方桂英", phone: "13900050107", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ54", name: "白立新", phone: "13900050108", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ54", name: "邹丽娟", phone: "13900050109", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ55", name: "孟海波", phone: "13900050110", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ55", name: "熊凤英", phone: "13900050111", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ56", name: "邱国强", phone: "13900050112", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ56", name: "江玉珍", phone: "13900050113", roles: []access.Role{rus, rll}, liaison: true},
	{body: "330199", unit: "ZZ57", name: "尹卫东", phone: "13900050114", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZZ57", name: "薛春梅", phone: "13900050115", roles: []access.Role{rus, rll}, liaison: true},
}

// DemoAccount describes one demo login (printed by `qingdan serve` and
// `qingdan demo`, listed in docs/demo.md).
type DemoAccount struct {
	Login    string
	Name     string
	Body     string // the body's name: the account's jurisdiction
	Unit     string // the unit's name, or ""
	Roles    []access.Role
	Password string
}

// DemoAccounts lists the demo logins in a stable order.
func DemoAccounts() []DemoAccount {
	bodyName := map[string]string{}
	for _, b := range demoBodies {
		bodyName[b.code] = b.name
	}
	unitName := map[[2]string]string{}
	for _, u := range demoUnits {
		unitName[[2]string{u.body, u.code}] = u.name
	}
	var out []DemoAccount
	for _, s := range demoStaff {
		if s.login != "" {
			out = append(out, DemoAccount{Login: s.login, Name: s.name, Body: bodyName[s.body],
				Unit: unitName[[2]string{s.body, s.unit}], Roles: s.roles, Password: DemoPassword})
		}
	}
	return out
}

// DemoRootCode is the code of the demo district.
const DemoRootCode = "330199"

// The demo load is recorded in the audit log by two marker events on the
// object demo:1: demo.begun in the organisation's write, demo.loaded when
// the whole demo (organisation, accounts, catalogue) is in. An interrupted
// load leaves begun without loaded, and the next start completes it.
const (
	demoObject    = "demo"
	demoBegun     = "demo.begun"
	demoCompleted = "demo.loaded"
)

// demoMarked reads demo:1's history (a few events) through the store,
// which knows how the by-object lookup is kept on each engine.
func demoMarked(ctx context.Context, q store.Querier, action string) (bool, error) {
	evs, err := store.QueryEvents(ctx, q, store.EventFilter{ObjectType: demoObject, ObjectID: "1"})
	if err != nil {
		return false, err
	}
	for _, e := range evs {
		if e.Action == action {
			return true, nil
		}
	}
	return false, nil
}

// DemoLoaded reports whether a demo load ran to its end (MarkDemoLoaded).
func DemoLoaded(ctx context.Context, db *store.DB) (bool, error) {
	return demoMarked(ctx, db, demoCompleted)
}

// MarkDemoLoaded records that the whole demo is in, so later starts leave
// it alone (demo accounts deleted since are not recreated).
func MarkDemoLoaded(ctx context.Context, db *store.DB) error {
	return db.Write(ctx, func(tx *store.Tx) error {
		done, err := demoMarked(ctx, tx, demoCompleted)
		if err != nil || done {
			return err
		}
		return tx.Emit(store.Event{Actor: System.Login, Action: demoCompleted, ObjectType: demoObject, ObjectID: "1", To: "loaded"})
	})
}

// LoadDemo loads the demo district into an empty database (no bodies, units
// or staff) in one write, then creates the demo accounts through accounts.
// With accounts nil only the organisation is loaded. It is resumable: on a
// database whose organisation an earlier, interrupted demo load wrote
// (demo.begun, not yet demo.loaded), it creates only the accounts still
// missing. A complete demo or any other organisation is a Conflict, and
// nothing is written.
func LoadDemo(ctx context.Context, db *store.DB, accounts AccountCreator) error {
	s := NewService(db)
	p := System
	staffIDs := map[string]int64{} // login → staff id
	err := db.Write(ctx, func(tx *store.Tx) error {
		clear(staffIDs)
		n, err := count(ctx, tx, `SELECT (SELECT COUNT(*) FROM bodies) + (SELECT COUNT(*) FROM units) + (SELECT COUNT(*) FROM staff)`)
		if err != nil {
			return err
		}
		if n > 0 {
			begun, err := demoMarked(ctx, tx, demoBegun)
			if err != nil {
				return err
			}
			done, err := demoMarked(ctx, tx, demoCompleted)
			if err != nil {
				return err
			}
			if !begun || done {
				return apperr.Conflictf("org.the_database_is_not_empty_the")
			}
			return nil // an interrupted demo load: its organisation is complete (one write)
		}
		now := s.now()
		bodies := map[string]int64{}
		for _, b := range demoBodies {
			in := BodyInput{ParentID: bodies[b.parent], Level: b.level, Code: b.code, Name: b.name}
			in.normalise()
			if err := in.validate(); err != nil {
				return fmt.Errorf("demo body %s: %w", b.code, err)
			}
			created, err := createBody(ctx, tx, p, in, now)
			if err != nil {
				return fmt.Errorf("demo body %s: %w", b.code, err)
			}
			bodies[b.code] = created.ID
		}
		units := map[[2]string]int64{}
		for _, u := range demoUnits {
			in := UnitInput{BodyID: bodies[u.body], Kind: u.kind, Code: u.code, Name: u.name}
			if err := in.validate(); err != nil {
				return fmt.Errorf("demo unit %s: %w", u.code, err)
			}
			created, err := insertUnit(ctx, tx, p, bodies[u.body], in, now)
			if err != nil {
				return fmt.Errorf("demo unit %s: %w", u.code, err)
			}
			units[[2]string{u.body, u.code}] = created.ID
		}
		for _, d := range demoStaff {
			in := StaffInput{BodyID: bodies[d.body], UnitID: units[[2]string{d.body, d.unit}], Name: d.name, Phone: d.phone,
				Roles: d.roles, IsHead: d.head, IsLiaison: d.liaison}
			if err := in.validate(); err != nil {
				return fmt.Errorf("demo staff %s: %w", d.name, err)
			}
			st, err := createStaff(ctx, tx, p, in, now)
			if err != nil {
				return fmt.Errorf("demo staff %s: %w", d.name, err)
			}
			if d.login != "" {
				staffIDs[d.login] = st.ID
			}
			if d.cert != nil {
				qi := QualificationInput{StaffID: st.ID, CertNo: d.cert.no, Scope: d.cert.scope, ValidFrom: d.cert.from, ValidTo: d.cert.to}
				if err := qi.validate(); err != nil {
					return fmt.Errorf("demo certificate %s: %w", d.cert.no, err)
				}
				if _, err := insertQual(ctx, tx, p, st, qi, now); err != nil {
					return fmt.Errorf("demo certificate %s: %w", d.cert.no, err)
				}
			}
		}
		return tx.Emit(store.Event{Actor: p.Login, Action: demoBegun, ObjectType: demoObject, ObjectID: "1", To: "begun"})
	})
	if err != nil || accounts == nil {
		return err
	}
	for _, d := range demoStaff {
		if d.login == "" {
			continue
		}
		have, err := count(ctx, db, `SELECT COUNT(*) FROM accounts WHERE login = ?`, d.login)
		if err != nil {
			return err
		}
		if have > 0 {
			continue // created before an interruption
		}
		id, ok := staffIDs[d.login]
		if !ok {
			// Resuming: the staff member the organisation's write created.
			if err := db.QueryRow(ctx, `SELECT s.id FROM staff s JOIN bodies b ON b.id = s.body_id WHERE b.code = ? AND s.name = ? ORDER BY s.id LIMIT 1`,
				d.body, d.name).Scan(&id); err != nil {
				return fmt.Errorf("demo account %s: staff %s: %w", d.login, d.name, err)
			}
		}
		if err := accounts.CreateInitialAccount(ctx, id, d.login, DemoPassword, false); err != nil {
			return fmt.Errorf("demo account %s (the organisation is loaded; a later demo load creates the accounts still missing): %w", d.login, err)
		}
	}
	return nil
}
