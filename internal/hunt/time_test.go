package hunt

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestTimeMathFunctions runs the datetime, timespan and math functions
// on an empty store and compares each printed value with Kusto's.
func TestTimeMathFunctions(t *testing.T) {
	eng := &Engine{Store: openTestStore(t), Now: func() time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) }}
	dt := `datetime(2009-06-15T13:45:30.6175425)`
	cases := []struct{ expr, want string }{
		// format_datetime: every specifier.
		{`format_datetime(` + dt + `, "d dd ddd dddd")`, "15 15 Mon Monday"},
		{`format_datetime(` + dt + `, "f ff fff ffff fffff ffffff")`, "6 61 617 6175 61754 617542"},
		{`format_datetime(` + dt + `, "F FF FFF h hh H HH")`, "6 61 617 1 01 13 13"},
		{`format_datetime(` + dt + `, "m mm M MM MMM MMMM s ss y yy yyyy tt")`, "45 45 6 06 Jun June 30 30 9 09 2009 PM"},
		{`format_datetime(datetime(2009-06-01T01:09:05), "MM/dd/yyyy HH:mm:ss.FFF")`, "06/01/2009 01:09:05"},
		{`format_datetime(datetime(2017-01-29 09:00:05), "yy-MM-dd [hh:mm:ss tt]")`, "17-01-29 [09:00:05 AM]"},
		{`format_datetime(datetime(0900-01-01), "y yy yyyy")`, "0 00 0900"},
		{`format_datetime(datetime(null), "yyyy")`, ""},
		{`format_datetime(datetime(2020-01-01), "yyyy'%Y'")`, "2020%Y"},
		{`format_datetime(datetime(2020-01-02 03:04:05), "yyyy-MM-ddTHH:mm:ssZ")`, "2020-01-02T03:04:05Z"},
		// format_timespan.
		{`format_timespan(time(29.09:00:05.12345), "dd.hh:mm:ss:FF")`, "29.09:00:05:12"},
		{`format_timespan(time(29.09:00:05.12345), "ddd.h:mm:ss [fffffff]")`, "029.9:00:05 [1234500]"},
		{`format_timespan(2h, "hh:mm:ss.FF")`, "02:00:00"},
		// Parts.
		{`datetime_part("week_of_year", datetime(2017-10-30 01:02:03.7654321))`, "44"},
		{`datetime_part("Nanosecond", datetime(2017-10-30 01:02:03.7654321))`, "765432000"},
		{`datetime_part("dayOfYear", datetime(2017-10-30))`, "303"},
		{`datetime_part("millisecond", datetime(1960-10-30 01:02:03.765))`, "765"},
		{`datetime_part("quarter", datetime(2017-10-30))`, "4"},
		{`weekofyear(datetime(2021-01-01))`, "53"},
		{`dayofweek(datetime(2025-06-14))`, "6.00:00:00"},
		{`hourofday(datetime(2015-12-14 18:54))`, "18"},
		{`dayofmonth(datetime(2015-12-14))`, "14"},
		{`getmonth(datetime(2015-12-14))`, "12"},
		// Start and end of periods, with offsets.
		{`startofweek(datetime(2025-06-14 10:00))`, "2025-06-08T00:00:00Z"},
		{`startofweek(datetime(2025-06-15 10:00), -1)`, "2025-06-08T00:00:00Z"},
		{`endofweek(datetime(2025-06-14))`, "2025-06-14T23:59:59.9999990Z"},
		{`startofday(datetime(2017-01-01 10:10:17), 2)`, "2017-01-03T00:00:00Z"},
		{`startofmonth(datetime(2017-01-31), 1)`, "2017-02-01T00:00:00Z"},
		{`endofmonth(datetime(2016-02-10))`, "2016-02-29T23:59:59.9999990Z"},
		{`startofyear(datetime(2017-06-01), -1)`, "2016-01-01T00:00:00Z"},
		// datetime_add and datetime_diff.
		{`datetime_add("month", 1, datetime(2017-01-31))`, "2017-02-28T00:00:00Z"},
		{`datetime_add("quarter", -1, datetime(2017-01-01))`, "2016-10-01T00:00:00Z"},
		{`datetime_add("minute", 90, datetime(2017-01-01))`, "2017-01-01T01:30:00Z"},
		{`datetime_diff("week", datetime(2025-06-15), datetime(2025-06-14))`, "1"},
		{`datetime_diff("day", datetime(2017-10-29 00:00), datetime(2017-09-30 23:59))`, "29"},
		{`datetime_diff("hour", datetime(1960-10-31 01:00), datetime(1960-10-30 23:59))`, "2"},
		{`datetime_diff("Minute", datetime(2017-10-30 23:00:59), datetime(2017-10-30 23:05:01))`, "-5"},
		{`datetime_diff("month", datetime(2017-01-01), datetime(2015-12-30))`, "13"},
		{`datetime_diff(strcat("Mon", "th"), datetime(2017-01-01), datetime(2015-12-30))`, "13"},
		{`datetime_part(strcat("hour", ""), datetime(2015-12-14 18:54))`, "18"},
		{`datetime_add(strcat("day", ""), 2, datetime(2015-12-14))`, "2015-12-16T00:00:00Z"},
		// Construction.
		{`make_datetime(2017, 10, 1, 12, 10)`, "2017-10-01T12:10:00Z"},
		{`make_datetime(2017, 13, 1)`, "null"},
		{`make_datetime(2017, 2, 29)`, "null"},
		{`make_datetime(2016, 2, 29, 23, 59, 59.5)`, "2016-02-29T23:59:59.5000000Z"},
		{`make_datetime(2016, 2, 29, 24, 0)`, "null"},
		{`unixtime_seconds_todatetime(1e300)`, "null"},
		{`unixtime_milliseconds_todatetime(-9223372036854775807)`, "null"},
		{`unixtime_microseconds_todatetime(1546300800000000)`, "2019-01-01T00:00:00Z"},
		{`make_timespan(1, 2, 3, 4)`, "1.02:03:04"},
		{`make_timespan(2, 30)`, "02:30:00"},
		{`unixtime_seconds_todatetime(1546300800)`, "2019-01-01T00:00:00Z"},
		{`unixtime_seconds_todatetime(1546300800.5)`, "2019-01-01T00:00:00.5000000Z"},
		{`unixtime_nanoseconds_todatetime(1546300800000001000)`, "2019-01-01T00:00:00.0000010Z"},
		{`datetime_utc_to_local(datetime(2020-07-01 12:00), "Europe/Paris")`, "2020-07-01T14:00:00Z"},
		{`datetime_local_to_utc(datetime(2022-03-27 02:30), "Europe/Brussels")`, "2022-03-27T00:30:00Z"},
		{`around(datetime(2021-01-01 01:31), datetime(2021-01-01 01:30), 1min)`, "true"},
		{`around(1.5, 1, 0.4)`, "false"},
		{`tostring(datetime_list_timezones()) has '"Europe/Paris"'`, "true"},
		// Conversions from text.
		{`todatetime(strcat("2014-05-25T08:20:03.123456+02:00", ""))`, "2014-05-25T06:20:03.1234560Z"},
		{`todatetime(strcat("2014-05-25 08:20", ""))`, "2014-05-25T08:20:00Z"},
		{`todatetime(strcat("Sat, 8 Nov 14 15:05:02 GMT", ""))`, "2014-11-08T15:05:02Z"},
		{`todatetime(strcat("12-02-2022", "")) == datetime("12-02-2022")`, "true"},
		{`todatetime(strcat("garbage", ""))`, "null"},
		{`todatetime("2015-12-31 23:59:59.9")`, "2015-12-31T23:59:59.9000000Z"},
		{`totimespan(strcat("1.02:03:04.5", ""))`, "1.02:03:04.5000000"},
		{`totimespan(strcat("-00:30", ""))`, "-00:30:00"},
		{`totimespan(strcat("1.5h", ""))`, "01:30:00"},
		{`totimespan(strcat("25:00:00", ""))`, "null"},
		{`totimespan("0.00:03:00")`, "00:03:00"},
		// bin.
		{`bin(datetime(1960-01-01 10:30), 1h)`, "1960-01-01T10:00:00Z"},
		{`bin(-7, 5)`, "-10"},
		{`bin(time(16d), 7d)`, "14.00:00:00"},
		{`bin(datetime(2024-01-01 00:59:59.999999), 1h)`, "2024-01-01T00:00:00Z"},
		{`bin(datetime(1960-05-05 10:10), 7d)`, "1960-05-02T00:00:00Z"},
		{`bin_at(datetime(2018-02-23T16:14), 1d, datetime(2018-02-24 15:14))`, "2018-02-23T15:14:00Z"},
		{`bin_at(10m, 1h, 30m)`, "-00:30:00"},
		{`bin(9223372036854775807, 2)`, "9223372036854775806"},
		{`bin(7, 0)`, "null"},
		{`bin(4.5, 2)`, "4"},
		// Math.
		{`round(2.15, 1)`, "2.2"},
		{`round(-50.55, -2)`, "-100"},
		{`round(1234, -2)`, "1200"},
		{`abs(-5)`, "5"},
		{`abs(-1h)`, "01:00:00"},
		{`ceiling(-1.1)`, "-1"},
		{`log(-1)`, "null"},
		{`log(0)`, "-Inf"},
		{`sqrt(-4)`, "null"},
		{`asin(2)`, "null"},
		{`exp2(3)`, "8"},
		{`exp10(2)`, "100"},
		{`pow(2, 10)`, "1024"},
		{`sign(-42)`, "-1"},
		{`erf(-3)`, "-0.999977909503001"},
		{`erfc(3)`, "2.20904969985854e-05"},
		{`erfc(6)`, "2.15197367124989e-17"},
		{`erf(0.5)`, "0.520499877813047"},
		{`gamma(5)`, "24"},
		{`beta_cdf(0.3, 2.0, 5.0)`, "0.579825"},
		{`beta_cdf(0.9, 10.0, 20.0)`, "0.999999999999959"},
		{`beta_cdf(-1, 10.0, 20.0)`, "NaN"},
		{`beta_inv(0.1, 10.0, 20.0)`, "0.226415022388748"},
		{`beta_inv(1.5, 10.0, 20.0)`, "null"},
		{`max_of(10, 1, -3, 17)`, "17"},
		{`min_of(int(null), 3)`, "3"},
		{`binary_and(12, 10)`, "8"},
		{`binary_xor(12, 10)`, "6"},
		{`binary_not(100)`, "-101"},
		{`binary_shift_left(1, 63)`, "-9223372036854775808"},
		{`binary_shift_left(-1, 1)`, "-2"},
		{`binary_shift_left(3, 64)`, "3"},
		{`binary_shift_right(-8, 1)`, "-4"},
		{`bitset_count_ones(42)`, "3"},
		{`convert_temperature(1.2, "Kelvin", "DegreeCelsius")`, "-271.95"},
		{`convert_length(1.2, "Meter", "Foot")`, "3.93700787401575"},
		{`rand(1)`, "0"},
	}
	for _, c := range cases {
		res, err := eng.Run(context.Background(), Request{Query: "print r = " + c.expr, Timespan: -1})
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if len(res.Rows) != 1 || len(res.Rows[0]) != 1 {
			t.Errorf("%s: got %v", c.expr, res.Rows)
			continue
		}
		if got := showValue(res.Rows[0][0]); got != c.want {
			t.Errorf("%s: got %s, want %s", c.expr, got, c.want)
		}
	}
}

// showValue prints a value as Kusto shows it, reals to 15 digits.
func showValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case time.Time:
		s := x.UTC().Format("2006-01-02T15:04:05.0000000Z")
		return strings.Replace(s, ".0000000Z", "Z", 1)
	case time.Duration:
		neg := x < 0
		if neg {
			x = -x
		}
		ticks := int64(x / 100)
		days, rem := ticks/864e9, ticks%864e9
		s := fmt.Sprintf("%02d:%02d:%02d", rem/36e9, rem%36e9/6e8, rem%6e8/1e7)
		if days > 0 {
			s = fmt.Sprintf("%d.%s", days, s)
		}
		if f := rem % 1e7; f > 0 {
			s += fmt.Sprintf(".%07d", f)
		}
		if neg {
			s = "-" + s
		}
		return s
	case float64:
		return strings.Replace(strings.Replace(fmt.Sprintf("%.15g", x), "+Inf", "Inf", 1), "e+", "e", 1)
	}
	return fmt.Sprint(v)
}

// TestLongArithmeticWraps: KQL's long arithmetic wraps around on
// overflow instead of failing.
func TestLongArithmeticWraps(t *testing.T) {
	eng := &Engine{Store: openTestStore(t)}
	cases := []struct{ q, want string }{
		{`print r = 9223372036854775807 + 1`, "-9223372036854775808"},
		{`print r = -9223372036854775807 - 3`, "9223372036854775806"},
		{`print r = 9223372036854775807 * 2`, "-2"},
		{`print r = 3000000000 * 4000000000 + 1`, "-6446744073709551615"},
		{`range x from 3 to 3 step 1 | project r = x * 9223372036854775807`, "9223372036854775805"},
		{`print r = 6 * 7 - 2`, "40"},
		{`print r = toint(2147483647) + toint(1)`, "2147483648"},
		{`print r = toint(2147483647) * 4294967299`, "-9223372034707292163"},
	}
	for _, c := range cases {
		res, err := eng.Run(context.Background(), Request{Query: c.q, Timespan: -1})
		if err != nil {
			t.Errorf("%s: %v", c.q, err)
			continue
		}
		if got := showValue(res.Rows[0][0]); got != c.want {
			t.Errorf("%s: got %s, want %s", c.q, got, c.want)
		}
	}
}
