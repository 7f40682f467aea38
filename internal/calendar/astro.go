package calendar

import "math"

// Astronomy for the provisional calendar (L9): the instants of new moons and
// of the sun reaching an apparent longitude, after J. Meeus, Astronomical
// Algorithms (2nd ed., 1998) — chapter 49 for the new moon (error a few
// seconds), chapter 25 with the VSOP87 terms of appendix III for the sun
// (about 1″, i.e. 25 s of time), chapter 22 for nutation. Instants are Julian
// Ephemeris Days (JDE, terrestrial time); cstDate takes away ΔT and gives the
// civil date in China Standard Time (UTC+8), the zone of the calendar rules.
// Valid for 1950–2200, the years a provisional calendar is asked for.

const (
	j2000         = 2451545.0     // JDE of 2000-01-01 12:00 TT
	unixEpochJD   = 2440587.5     // JD of 1970-01-01 00:00 UT, Date 0
	synodicMonth  = 29.530588861  // mean days from new moon to new moon
	tropicalYear  = 365.242189623 // mean days from equinox to equinox
	chinaOffsetJD = 8.0 / 24      // UTC+8 in days
)

// vsopTerm is A cos(B + C τ), A in 1e-8 (radians or AU), τ in Julian
// millennia from J2000.
type vsopTerm struct{ a, b, c float64 }

// earthL and earthR are the Earth's heliocentric longitude and radius vector
// (VSOP87D, as truncated in Meeus's appendix III), by power of τ.
var earthL = [][]vsopTerm{
	{
		{175347046, 0, 0}, {3341656, 4.6692568, 6283.0758500}, {34894, 4.62610, 12566.15170},
		{3497, 2.7441, 5753.3849}, {3418, 2.8289, 3.5231}, {3136, 3.6277, 77713.7715},
		{2676, 4.4181, 7860.4194}, {2343, 6.1352, 3930.2097}, {1324, 0.7425, 11506.7698},
		{1273, 2.0371, 529.6910}, {1199, 1.1096, 1577.3435}, {990, 5.233, 5884.927},
		{902, 2.045, 26.298}, {857, 3.508, 398.149}, {780, 1.179, 5223.694},
		{753, 2.533, 5507.553}, {505, 4.583, 18849.228}, {492, 4.205, 775.523},
		{357, 2.920, 0.067}, {317, 5.849, 11790.629}, {284, 1.899, 796.298},
		{271, 0.315, 10977.079}, {243, 0.345, 5486.778}, {206, 4.806, 2544.314},
		{205, 1.869, 5573.143}, {202, 2.458, 6069.777}, {156, 0.833, 213.299},
		{132, 3.411, 2942.463}, {126, 1.083, 20.775}, {115, 0.645, 0.980},
		{103, 0.636, 4694.003}, {102, 0.976, 15720.839}, {102, 4.267, 7.114},
		{99, 6.21, 2146.17}, {98, 0.68, 155.42}, {86, 5.98, 161000.69},
		{85, 1.30, 6275.96}, {85, 3.67, 71430.70}, {80, 1.81, 17260.15},
		{79, 3.04, 12036.46}, {75, 1.76, 5088.63}, {74, 3.50, 3154.69},
		{74, 4.68, 801.82}, {70, 0.83, 9437.76}, {62, 3.98, 8827.39},
		{61, 1.82, 7084.90}, {57, 2.78, 6286.60}, {56, 4.39, 14143.50},
		{56, 3.47, 6279.55}, {52, 0.19, 12139.55}, {52, 1.33, 1748.02},
		{51, 0.28, 5856.48}, {49, 0.49, 1194.45}, {41, 5.37, 8429.24},
		{41, 2.40, 19651.05}, {39, 6.17, 10447.39}, {37, 6.04, 10213.29},
		{37, 2.57, 1059.38}, {36, 1.71, 2352.87}, {36, 1.78, 6812.77},
		{33, 0.59, 17789.85}, {30, 0.44, 83996.85}, {30, 2.74, 1349.87},
		{25, 3.16, 4690.48},
	},
	{
		{628331966747, 0, 0}, {206059, 2.678235, 6283.075850}, {4303, 2.6351, 12566.1517},
		{425, 1.590, 3.523}, {119, 5.796, 26.298}, {109, 2.966, 1577.344},
		{93, 2.59, 18849.23}, {72, 1.14, 529.69}, {68, 1.87, 398.15},
		{67, 4.41, 5507.55}, {59, 2.89, 5223.69}, {56, 2.17, 155.42},
		{45, 0.40, 796.30}, {36, 0.47, 775.52}, {29, 2.65, 7.11},
		{21, 5.34, 0.98}, {19, 1.85, 5486.78}, {19, 4.97, 213.30},
		{17, 2.99, 6275.96}, {16, 0.03, 2544.31}, {16, 1.43, 2146.17},
		{15, 1.21, 10977.08}, {12, 2.83, 1748.02}, {12, 3.26, 5088.63},
		{12, 5.27, 1194.45}, {12, 2.08, 4694.00}, {11, 0.77, 553.57},
		{10, 1.30, 6286.60}, {10, 4.24, 1349.87}, {9, 2.70, 242.73},
		{9, 5.64, 951.72}, {8, 5.30, 2352.87}, {6, 2.65, 9437.76},
		{6, 4.67, 4690.48},
	},
	{
		{52919, 0, 0}, {8720, 1.0721, 6283.0758}, {309, 0.867, 12566.152},
		{27, 0.05, 3.52}, {16, 5.19, 26.30}, {16, 3.68, 155.42},
		{10, 0.76, 18849.23}, {9, 2.06, 77713.77}, {7, 0.83, 775.52},
		{5, 4.66, 1577.34}, {4, 1.03, 7.11}, {4, 3.44, 5573.14},
		{3, 5.14, 796.30}, {3, 6.05, 5507.55}, {3, 1.19, 242.73},
		{3, 6.12, 529.69}, {3, 0.31, 398.15}, {3, 2.28, 553.57},
		{2, 4.38, 5223.69}, {2, 3.75, 0.98},
	},
	{
		{289, 5.844, 6283.076}, {35, 0, 0}, {17, 5.49, 12566.15},
		{3, 5.20, 155.42}, {1, 4.72, 3.52}, {1, 5.30, 18849.23},
		{1, 5.97, 242.73},
	},
	{{114, 3.142, 0}, {8, 4.13, 6283.08}, {1, 3.84, 12566.15}},
	{{1, 3.14, 0}},
}

var earthR = [][]vsopTerm{
	{
		{100013989, 0, 0}, {1670700, 3.0984635, 6283.0758500}, {13956, 3.05525, 12566.15170},
		{3084, 5.1985, 77713.7715}, {1628, 1.1739, 5753.3849}, {1576, 2.8469, 7860.4194},
		{925, 5.453, 11506.770}, {542, 4.564, 3930.210}, {472, 3.661, 5884.927},
		{346, 0.964, 5507.553}, {329, 5.900, 5223.694}, {307, 0.299, 5573.143},
		{243, 4.273, 11790.629}, {212, 5.847, 1577.344}, {186, 5.022, 10977.079},
		{175, 3.012, 18849.228}, {110, 5.055, 5486.778}, {98, 0.89, 6069.78},
		{86, 5.69, 15720.84}, {86, 1.27, 161000.69}, {65, 0.27, 17260.15},
		{63, 0.92, 529.69}, {57, 2.01, 83996.85}, {56, 5.24, 71430.70},
		{49, 3.25, 2544.31}, {47, 2.58, 775.52}, {45, 5.54, 9437.76},
		{43, 6.01, 6275.96}, {39, 5.36, 4694.00}, {38, 2.39, 8827.39},
		{37, 0.83, 19651.05}, {37, 4.90, 12139.55}, {36, 1.67, 12036.46},
		{35, 1.84, 2942.46}, {33, 0.24, 7084.90}, {32, 0.18, 5088.63},
		{32, 1.78, 398.15}, {28, 1.21, 6286.60}, {28, 1.90, 6279.55},
		{26, 4.59, 10447.39},
	},
	{
		{103019, 1.107490, 6283.075850}, {1721, 1.0644, 12566.1517}, {702, 3.142, 0},
		{32, 1.02, 18849.23}, {31, 2.84, 5507.55}, {25, 1.32, 5223.69},
		{18, 1.42, 1577.34}, {10, 5.91, 10977.08}, {9, 1.42, 6275.96},
		{9, 0.27, 5486.78},
	},
	{
		{4359, 5.7846, 6283.0758}, {124, 5.579, 12566.152}, {12, 3.14, 0},
		{9, 3.63, 77713.77}, {6, 1.87, 5573.14}, {3, 5.47, 18849.23},
	},
	{{145, 4.273, 6283.076}, {7, 3.92, 12566.15}},
	{{4, 2.56, 6283.08}},
}

// vsop sums a series at τ.
func vsop(series [][]vsopTerm, tau float64) float64 {
	sum, pow := 0.0, 1.0
	for _, terms := range series {
		s := 0.0
		for _, t := range terms {
			s += t.a * math.Cos(t.b+t.c*tau)
		}
		sum += s * pow
		pow *= tau
	}
	return sum / 1e8
}

func rad(deg float64) float64 { return deg * math.Pi / 180 }

// sunLongitude is the sun's apparent geocentric longitude at jde, in
// degrees [0, 360): the geometric longitude in the FK5 frame, plus nutation
// in longitude, less the aberration (Meeus 25.9–25.11).
func sunLongitude(jde float64) float64 {
	tau := (jde - j2000) / 365250
	t := tau * 10 // Julian centuries
	lon := vsop(earthL, tau)*180/math.Pi + 180
	r := vsop(earthR, tau)
	// Nutation in longitude, Meeus ch. 22 to 0.5″.
	omega := rad(125.04452 - 1934.136261*t + 0.0020708*t*t + t*t*t/450000)
	ls := rad(280.4665 + 36000.7698*t)
	lm := rad(218.3165 + 481267.8813*t)
	nutation := -17.20*math.Sin(omega) - 1.32*math.Sin(2*ls) - 0.23*math.Sin(2*lm) + 0.21*math.Sin(2*omega)
	lon += (-0.09033 + nutation - 20.4898/r) / 3600 // FK5, nutation, aberration, in ″
	return math.Mod(math.Mod(lon, 360)+360, 360)
}

// sunAt is the JDE nearest guess at which the sun's apparent longitude is
// lon degrees. The sun moves 0.95–1.02° a day, so stepping by the mean rate
// converges to a millisecond in a handful of steps.
func sunAt(lon, guess float64) float64 {
	jde := guess
	for range 30 {
		step := math.Remainder(lon-sunLongitude(jde), 360) * tropicalYear / 360
		jde += step
		if math.Abs(step) < 1e-8 {
			break
		}
	}
	return jde
}

// marchEquinoxGuess is a rough JDE of the March equinox of year y (within a
// day for 1950–2200), the start of every search for a solar term.
func marchEquinoxGuess(y int) float64 { return 2451623.80984 + tropicalYear*float64(y-2000) }

// newMoon is the JDE of lunation k (k = 0: the new moon of 2000-01-06),
// Meeus ch. 49: the mean phase plus the periodic and planetary corrections.
func newMoon(k float64) float64 {
	t := k / 1236.85
	jde := 2451550.09766 + synodicMonth*k + 0.00015437*t*t - 0.000000150*t*t*t + 0.00000000073*t*t*t*t
	e := 1 - 0.002516*t - 0.0000074*t*t
	m := rad(2.5534 + 29.10535670*k - 0.0000014*t*t - 0.00000011*t*t*t)
	mp := rad(201.5643 + 385.81693528*k + 0.0107582*t*t + 0.00001238*t*t*t - 0.000000058*t*t*t*t)
	f := rad(160.7108 + 390.67050284*k - 0.0016118*t*t - 0.00000227*t*t*t + 0.000000011*t*t*t*t)
	om := rad(124.7746 - 1.56375588*k + 0.0020672*t*t + 0.00000215*t*t*t)
	s := math.Sin
	jde += -0.40720*s(mp) + 0.17241*e*s(m) + 0.01608*s(2*mp) + 0.01039*s(2*f) +
		0.00739*e*s(mp-m) - 0.00514*e*s(mp+m) + 0.00208*e*e*s(2*m) - 0.00111*s(mp-2*f) -
		0.00057*s(mp+2*f) + 0.00056*e*s(2*mp+m) - 0.00042*s(3*mp) + 0.00042*e*s(m+2*f) +
		0.00038*e*s(m-2*f) - 0.00024*e*s(2*mp-m) - 0.00017*s(om) - 0.00007*s(mp+2*m) +
		0.00004*s(2*mp-2*f) + 0.00004*s(3*m) + 0.00003*s(mp+m-2*f) + 0.00003*s(2*mp+2*f) -
		0.00003*s(mp+m+2*f) + 0.00003*s(mp-m+2*f) - 0.00002*s(mp-m-2*f) - 0.00002*s(3*mp+m) +
		0.00002*s(4*mp)
	// Planetary arguments A1–A14.
	planetary := [14][3]float64{
		{299.77, 0.107408, 0.000325}, {251.88, 0.016321, 0.000165}, {251.83, 26.651886, 0.000164},
		{349.42, 36.412478, 0.000126}, {84.66, 18.206239, 0.000110}, {141.74, 53.303771, 0.000062},
		{207.14, 2.453732, 0.000060}, {154.84, 7.306860, 0.000056}, {34.52, 27.261239, 0.000047},
		{207.19, 0.121824, 0.000042}, {291.34, 1.844379, 0.000040}, {161.72, 24.198154, 0.000037},
		{239.56, 25.513099, 0.000035}, {331.55, 3.592518, 0.000023},
	}
	for i, p := range planetary {
		a := p[0] + p[1]*k
		if i == 0 {
			a -= 0.009173 * t * t
		}
		jde += p[2] * s(rad(a))
	}
	return jde
}

// lunationNear is the k of the mean new moon nearest jde.
func lunationNear(jde float64) float64 { return math.Round((jde - 2451550.09766) / synodicMonth) }

// deltaT is TT − UT in seconds at decimal year y: the polynomials of
// Espenak and Meeus (NASA, Five Millennium Canon of Solar Eclipses). A
// minute's error moves a date only when an event falls that close to
// midnight.
func deltaT(y float64) float64 {
	switch {
	case y < 1961:
		t := y - 1950
		return 29.07 + 0.407*t - t*t/233 + t*t*t/2547
	case y < 1986:
		t := y - 1975
		return 45.45 + 1.067*t - t*t/260 - t*t*t/718
	case y < 2005:
		t := y - 2000
		return 63.86 + 0.3345*t - 0.060374*t*t + 0.0017275*t*t*t + 0.000651814*t*t*t*t + 0.00002373599*t*t*t*t*t
	case y < 2050:
		t := y - 2000
		return 62.92 + 0.32217*t + 0.005589*t*t
	case y < 2150:
		u := (y - 1820) / 100
		return -20 + 32*u*u - 0.5628*(2150-y)
	default:
		u := (y - 1820) / 100
		return -20 + 32*u*u
	}
}

// universalJD converts a JDE (TT) to a Julian Day in UT.
func universalJD(jde float64) float64 {
	return jde - deltaT(2000+(jde-j2000)/365.25)/86400
}

// cstDate is the civil date in China Standard Time (UTC+8) of instant jde.
func cstDate(jde float64) Date {
	return Date(math.Floor(universalJD(jde) - unixEpochJD + chinaOffsetJD))
}
