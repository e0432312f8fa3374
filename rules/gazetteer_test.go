package rules

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/alertbot/alertbot/rules/text"
)

// unscSample is the worked example, shared/samples/unsc-request-2024-02-03.txt.
const unscSample = `Russia has requested an urgent meeting of the UN Security Council (SC) on US strikes in Iraq and Syria. This was stated on February 3 by First Deputy Permanent Representative of the Russian Federation to the UN Dmitry Polyansky.

“We have just requested an urgent meeting of the UN Security Council in connection with the threats to peace and security created by US strikes in Iraq and Syria,” says a message published on the Telegram channel.

Polyansky clarified that the Guyanese presiding in February plan to schedule it for 16:00 New York time/midnight Moscow time on February 5.

Earlier that day, Russian Foreign Ministry spokeswoman Maria Zakharova said that Russia is seeking to have the US strikes considered at a meeting of the UN Security Council.

The day before, the US Central Command announced attacks on targets in Iraq and Syria. It was clarified that the country's armed forces hit more than 85 targets using a large number of aircraft, including the use of long-range bombers, which were sent from the United States. During the airstrikes, 125 munitions were used.

The number of victims of the strikes in Syria, according to the latest data, is almost 30 people. National mourning was declared in Iraq.

Also on February 2, US President Joe Biden announced that Washington’s response to the attack on its military base in Jordan, which occurred on January 28, would continue. At the same time, Iraqi government spokesman Bassem al-Awadi pointed to false US claims that the strikes were previously coordinated with the Iraqi authorities. He said that the US actions constitute naked aggression and are a threat to the security and stability of the country.

Later, on February 3, the Iraqi Foreign Ministry summoned the US Charge d'Affaires in Baghdad and presented him with a note of protest against the backdrop of missile attacks on targets in Iraq. The Syrian Foreign Ministry, in turn, called the US strikes a violation of the country's sovereignty and security. The department indicated that Washington carried out strikes in areas where the fight against terrorists is already underway.

On the same day, Iraqi Shiite groups within the Islamic Resistance in Iraq announced that they had shelled a US military base in northeastern Syria as a response “to the mass genocide in the Gaza Strip.”

Attacks on American bases in the Middle East have become more frequent amid the escalation of the Palestinian-Israeli conflict, in which the United States supported Israel. However, on January 25, Pentagon chief Lloyd Austin said that the United States and Iraq would soon begin negotiations on a transition from the coalition military presence of American troops in the country to “sustainable bilateral cooperation” on security. Then the Pentagon added that the upcoming negotiations will not touch upon the topic of the withdrawal of American troops from Iraq.`

// ruSample is a Russian news item of about 1.5 KB, for the benchmark.
const ruSample = `Постоянный представитель России при ООН Василий Небензя заявил, что Москва запросила срочное заседание Совета Безопасности ООН в связи с ударами США по Ираку и Сирии. По его словам, заседание может состояться в понедельник.
Временный поверенный в делах США был вызван в МИД Ирака, где ему вручили ноту протеста. Иракская сторона указала на недопустимость подобных действий американских военных, говорится в сообщении министерства.
Официальный представитель МИД России Мария Захарова на брифинге заявила, что Вашингтон несет ответственность за эскалацию на Ближнем Востоке. Она отметила, что удары по территории Сирии и Ирака нарушают суверенитет этих государств.
Ранее в Багдаде объявили национальный траур. В Дамаске заявили, что число жертв ударов достигло 30 человек. Власти Иордании сообщили о гибели американских военных на базе у границы с Сирией.`

var gazetteerTest = struct {
	once sync.Once
	an   *text.Analyzer
	g    *Gazetteer
}{}

func testGazetteer(tb testing.TB) (*text.Analyzer, *Gazetteer) {
	tb.Helper()
	gazetteerTest.once.Do(func() {
		gazetteerTest.an = text.NewAnalyzer()
		gazetteerTest.g = NewGazetteer(gazetteerTest.an)
	})
	return gazetteerTest.an, gazetteerTest.g
}

func countries(an *text.Analyzer, g *Gazetteer, s string, lang text.Lang) []string {
	return g.Countries(nil, s, an.Analyze(nil, s, lang))
}

func TestGazetteerCountries(t *testing.T) {
	an, g := testGazetteer(t)
	tests := []struct {
		name string
		lang text.Lang
		text string
		want string // codes, space-separated, in order
	}{
		// The worked example. "Guyanese presiding" is GY; "Gaza Strip" and
		// "Palestinian-Israeli" are PS; "Moscow time", "Washington's" and
		// "Pentagon" count for their countries.
		{"worked example", text.English, unscSample, "RU US IQ SY GY JO PS IL"},
		{"worked example in Russian", text.Russian, "Временный поверенный в делах США вызван в МИД Ирака", "US IQ"},

		// Russian case forms, matched on stems.
		{"ru adjective genitive", text.Russian, "Заявление иракского МИД", "IQ"},
		{"ru adjective accusative", text.Russian, "Осудил американскую агрессию", "US"},
		{"ru phrase genitive", text.Russian, "Посол Соединенных Штатов", "US"},
		{"ru phrase with yo", text.Russian, "Соединённым Штатам", "US"},
		{"ru acronym", text.Russian, "КНДР провела пуск ракеты", "KP"},
		{"ru phrase prepositional", text.Russian, "Учения в Южной Корее", "KR"},
		{"ru Korea nominative", text.Russian, "Северная Корея и Южная Корея", "KP KR"},
		{"ru Republic of Korea", text.Russian, "Посол Республики Корея", "KR"},
		{"ru noun cases", text.Russian, "Ирака, Ираке, Ираку, Ираком", "IQ"},
		{"ru nominative stem differs", text.Russian, "В Афганистане и Пакистане", "AF PK"},
		{"ru fleeting vowel", text.Russian, "Из Египта", "EG"},
		{"ru demonym genitive plural", text.Russian, "Тысячи россиян и иракцев", "RU IQ"},
		{"ru UAE", text.Russian, "В Объединенных Арабских Эмиратах", "AE"},
		{"ru plural name", text.Russian, "На Филиппинах и в Нидерландах", "PH NL"},
		{"ru capitals", text.Russian, "Переговоры в Вашингтоне, Киеве, Пекине и Тегеране", "US UA CN IR"},
		{"ru hyphenated capital", text.Russian, "В Тель-Авиве и Эр-Рияде", "IL SA"},
		{"ru indeclinable", text.Russian, "В Баку, Тбилиси и Токио", "AZ GE JP"},
		{"ru Gaza Strip", text.Russian, "Ситуация в секторе Газа", "PS"},
		{"ru Gaza and gas", text.Russian, "Поставки газа и цены на газ", ""},
		{"ru metonyms", text.Russian, "Кремль, Белый дом и Госдеп", "RU US"},
		{"ru Armed Forces of Ukraine", text.Russian, "ВСУ атаковали", "UA"},
		{"ru compound adjective", text.Russian, "Российско-американские переговоры", "RU US"},
		{"ru compound prefixes", text.Russian, "Американо-китайские, ирано-иракские и франко-германские отношения", "US CN IR IQ FR DE"},
		{"ru Franco the person", text.Russian, "Режим Франко", ""},
		{"ru Taiwan and China", text.Russian, "Китайская Республика и Китайская Народная Республика", "TW CN"},
		{"ru colloquial names", text.Russian, "Туманный Альбион, Поднебесная и Страна восходящего солнца", "GB CN JP"},
		{"ru Santiago de Cuba", text.Russian, "В Сантьяго-де-Куба", "CU"},

		// Russian false friends.
		{"ru pronoun того", text.Russian, "Кроме того, это важно. Того, кто нарушит закон, накажут.", ""},
		{"ru Togo", text.Russian, "Президент Того прибыл в Ломе", "TG"},
		{"ru Chad and чадо", text.Russian, "Любимое чадо в чаду", ""},
		{"ru Chad", text.Russian, "Беженцы в Чаде", "TD"},
		{"ru Peru and перо", text.Russian, "Это принадлежит перу писателя", ""},
		{"ru Peru", text.Russian, "Выборы в Перу", "PE"},
		{"ru Mali and мало", text.Russian, "Мало кто знал", ""},
		{"ru Mali", text.Russian, "Власти Мали", "ML"},
		{"ru Georgia and груз", text.Russian, "Груз доставлен в порт", ""},
		{"ru Georgia", text.Russian, "Посол Грузии", "GE"},
		{"ru Iran and Ira", text.Russian, "Ира пришла домой", ""},
		{"ru Germany and Herman", text.Russian, "Герман Греф выступил", ""},
		{"ru China and whale", text.Russian, "Кита выбросило на берег", ""},
		{"ru China", text.Russian, "Визит в Китай и переговоры в Китае", "CN"},
		{"ru Korea and bark", text.Russian, "Кора дерева", ""},
		{"ru States and states", text.Russian, "В нескольких штатах прошли выборы", ""},
		{"ru States", text.Russian, "Штаты ввели санкции", "US"},
		{"ru CAR and tsar", text.Russian, "Портрет царя", ""},
		{"ru CAR", text.Russian, "Миротворцы в ЦАР", "CF"},
		{"ru Dubai and oak", text.Russian, "Ветка дуба", ""},
		{"ru Samoa and сами", text.Russian, "Американские сами решили", "US"},
		{"ru Washington Post", text.Russian, "Газета «Вашингтон пост» сообщила", ""},
		{"ru New Mexico", text.Russian, "Штат Нью-Мексико", ""},
		{"ru Jordan river", text.Russian, "Крещение на реке Иордан", ""},
		{"ru Russian language", text.Russian, "Уроки русского языка", ""},

		// English.
		{"en pronoun us", text.English, "Let us know what he told us.", ""},
		{"en US in capitals", text.English, "The US and U.S. officials", "US"},
		{"en possessive", text.English, "Iraq's foreign ministry and Washington’s response", "IQ US"},
		{"en demonym plural", text.English, "Iraqis protested", "IQ"},
		{"en America", text.English, "America's allies", "US"},
		{"en the Americas", text.English, "Across the Americas and Latin America", ""},
		{"en New Mexico", text.English, "Wildfires in New Mexico and New Jersey", ""},
		{"en Washington Post", text.English, "The Washington Post reported", ""},
		{"en Washington state", text.English, "Wildfires in Washington state", ""},
		{"en Georgia the state", text.English, "He flew to Atlanta, Georgia.", ""},
		{"en Georgia", text.English, "Georgia's president", "GE"},
		{"en South Sudan", text.English, "South Sudan and Sudan", "SS SD"},
		{"en South Sudanese", text.English, "South Sudanese refugees", "SS"},
		{"en Guineas", text.English, "Papua New Guinea, Equatorial Guinea, Guinea-Bissau and Guinea", "PG GQ GW GN"},
		{"en guinea pig", text.English, "A guinea pig study", ""},
		{"en Dominicas", text.English, "The Dominican Republic and Dominica", "DO DM"},
		{"en Congos", text.English, "The Democratic Republic of the Congo and the Republic of the Congo", "CD CG"},
		{"en Congo alone", text.English, "Fighting in eastern Congo", "CD"},
		{"en North Macedonia", text.English, "North Macedonia joined", "MK"},
		{"en South China Sea", text.English, "Patrols in the South China Sea", ""},
		{"en turkey the bird", text.English, "Roast turkey for dinner", ""},
		{"en Turkey", text.English, "Turkey and the Turks and Caicos Islands", "TR TC"},
		{"en hyphenated pair", text.English, "The Palestinian-Israeli conflict", "PS IL"},
		{"en comma breaks a name", text.English, "Fighting in the South, Sudan's army said", "SD"},
		{"en sentence breaks a name", text.English, "Troops moved to the South. Sudan denied it.", "SD"},
		{"en US Virgin Islands", text.English, "The US Virgin Islands", "VI"},
		{"en reunion", text.English, "A family reunion", ""},
		{"en Réunion", text.English, "Cyclone hits Réunion", "RE"},
		{"en Taiwan and China", text.English, "The Republic of China and the People's Republic of China", "TW CN"},
		{"en Jerusalem", text.English, "Jerusalem and East Jerusalem", "IL PS"},
		{"en partly recognised", text.English, "Kosovo, Taiwan, Palestine and the Holy See", "XK TW PS VA"},
		{"en franc", text.English, "Paid in Swiss francs", "CH"},
		{"en capitals", text.English, "Kyiv, Kiev, Beijing, Pyongyang, Abu Dhabi, New Delhi", "UA CN KP AE IN"},
		{"en order and duplicates", text.English, "Iraq, Syria, Iraq and the Iraqi army", "IQ SY"},

		// Languages and scripts.
		{"mixed scripts", text.Unknown, "Россия and the US", "RU US"},
		{"Latin word in a Russian document", text.Russian, "Санкции против Iraq", "IQ"},
		{"English word in a French document", text.French, "Les Iraqis ont manifesté", "IQ"},
		{"no names", text.English, "The council met on Monday.", ""},
		{"empty", text.English, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(countries(an, g, tt.text, tt.lang), " ")
			if got != tt.want {
				t.Errorf("Countries(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestGazetteerCountriesAppends(t *testing.T) {
	an, g := testGazetteer(t)
	title, body := "Iraq summons US envoy", "Baghdad protested the strikes in Syria."
	dst := g.Countries(nil, title, an.Analyze(nil, title, text.English))
	dst = g.Countries(dst, body, an.Analyze(nil, body, text.English))
	if got, want := strings.Join(dst, " "), "IQ US SY"; got != want {
		t.Errorf("title then text = %q, want %q", got, want)
	}
}

func TestGazetteerCode(t *testing.T) {
	_, g := testGazetteer(t)
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"code", "IQ", "IQ", true},
		{"code lower case", "iq", "IQ", true},
		{"code with spaces", " iq ", "IQ", true},
		{"English name", "Iraq", "IQ", true},
		{"English name lower case", "iraq", "IQ", true},
		{"Russian name", "Ирак", "IQ", true},
		{"Russian oblique case", "Ирака", "IQ", true},
		{"adjective", "Iraqi", "IQ", true},
		{"phrase", "United States", "US", true},
		{"Russian phrase", "Соединенные Штаты", "US", true},
		{"acronym", "США", "US", true},
		{"UK is a name, not a code", "UK", "GB", true},
		{"us is the code", "us", "US", true},
		{"case flag does not apply", "того", "TG", true},
		{"Kosovo", "XK", "XK", true},
		{"Kosovo by name", "Косово", "XK", true},
		{"empty", "", "", false},
		{"unknown code", "ZZ", "", false},
		{"not a country", "EU", "", false},
		{"unknown name", "Atlantis", "", false},
		{"exclusion", "New Mexico", "", false},
		{"two countries", "Iraq Syria", "", false},
		{"part of a phrase", "United", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := g.Code(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Code(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// isoCodes are the ISO 3166-1 alpha-2 codes in use (249), and XK.
var isoCodes = strings.Fields(`
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP
KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT
MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK`)

func TestGazetteerData(t *testing.T) {
	an, g := testGazetteer(t)
	if len(isoCodes) != 250 {
		t.Fatalf("isoCodes has %d codes, want 249 and XK", len(isoCodes))
	}
	for _, c := range isoCodes {
		if !g.codes[c] {
			t.Errorf("no block for %s", c)
		}
	}
	for c := range g.codes {
		if !slices.Contains(isoCodes, c) {
			t.Errorf("block for %s, not an ISO 3166-1 code", c)
		}
	}
	// Every country has English and Russian names, and each of its names
	// (each alternative form too) finds it in a text: no exclusion and no
	// other country's name hides one.
	langs := make(map[string]map[string]int) // code -> lang -> names
	code := ""
	for line := range strings.Lines(gazetteerData) {
		line, _, _ = strings.Cut(line, "#")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' {
			code = strings.Fields(line)[0]
			continue
		}
		lang, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
		for name := range strings.SplitSeq(rest, ";") {
			name = strings.TrimSpace(name)
			if langs[code] == nil {
				langs[code] = make(map[string]int)
			}
			langs[code][lang]++
			if code == "--" {
				continue
			}
			for _, s := range nameVariants(name) {
				s = "Then " + s // not at the start of a sentence, for "~"
				toks := an.Analyze(nil, s, text.ParseLang(lang))
				if got := g.Countries(nil, s, toks); strings.Join(got, " ") != code {
					t.Errorf("%s name %q: %q finds %v", code, name, s, got)
				}
			}
		}
	}
	total := map[string]int{}
	for _, c := range isoCodes {
		for _, l := range []string{"en", "ru"} {
			if langs[c][l] == 0 {
				t.Errorf("%s has no %s names", c, l)
			}
			total[l] += langs[c][l]
		}
	}
	t.Logf("%d countries; names: en %d, ru %d; exclusions: en %d, ru %d; %d index keys",
		len(g.codes), total["en"], total["ru"], langs["--"]["en"], langs["--"]["ru"], len(g.byStem))
}

// nameVariants returns name, a name of the data, as text: without its
// flags, once for each of its alternative forms.
func nameVariants(name string) []string {
	words := strings.Fields(strings.NewReplacer("=", "", "^", "", "!", "", "~", "").Replace(name))
	n := 1
	for _, w := range words {
		n = max(n, strings.Count(w, "|")+1)
	}
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for j, w := range words {
			alts := strings.Split(w, "|")
			if j > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(alts[min(i, len(alts)-1)])
		}
		out[i] = b.String()
	}
	return out
}

func TestGazetteerBroken(t *testing.T) {
	an, _ := testGazetteer(t)
	tests := []struct {
		name, data, err string
	}{
		{"bad code", "IRQ Iraq\n\ten Iraq", "not an alpha-2 code"},
		{"lower-case code", "iq Iraq\n\ten Iraq", "not an alpha-2 code"},
		{"two blocks", "IQ Iraq\n\ten Iraq\nIQ Iraq\n", "two blocks"},
		{"names outside a block", "\ten Iraq", "names outside a block"},
		{"unknown language", "IQ Iraq\n\txx Iraq", "unknown language"},
		{"empty name", "IQ Iraq\n\ten Iraq;; Iraqi", "empty name"},
		{"flags alone", "IQ Iraq\n\ten =", "flags and no word"},
		{"repeated flag", "IQ Iraq\n\ten ==Iraq", "repeats a flag"},
		{"no words", "IQ Iraq\n\ten —", "no words"},
		{"wrong script", "IQ Iraq\n\ten Ирак", "not written in en"},
		{"forms without =", "IQ Iraq\n\tru Ирак|Ирака", "without = or !"},
		{"forms of unequal length", "IQ Iraq\n\ten =Iraq|Iraq-x", "differ in length"},
		{"~ not first", "IQ Iraq\n\ten Republic ~Iraq", "not the first"},
		{"one name, two countries", "IQ Iraq\n\ten Iraq\nSY Syria\n\ten Iraq", "IQ and SY share a name"},
		{"shared stem", "NE Niger\n\tru Нигер\nNG Nigeria\n\tru Нигерия", "NE and NG share a name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseGazetteer(an, tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseGazetteer: error %v, want one with %q", err, tt.err)
			}
		})
	}
	t.Run("panics", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Errorf("mustGazetteer did not panic on broken data")
			}
		}()
		mustGazetteer(an, "IRQ Iraq")
	})
}

func TestGazetteerConcurrent(t *testing.T) {
	an, g := testGazetteer(t)
	toks := an.Analyze(nil, unscSample, text.French) // French: stems through the Analyzer
	want := g.Countries(nil, unscSample, toks)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if got := g.Countries(nil, unscSample, toks); !slices.Equal(got, want) {
					t.Errorf("concurrent Countries = %v, want %v", got, want)
					return
				}
				g.Code("Ирак")
			}
		})
	}
	wg.Wait()
}

// BenchmarkCountries scans a news item of 1.5 KB that has already been
// analysed, as the matcher does.
func BenchmarkCountries(b *testing.B) {
	an, g := testGazetteer(b)
	en := unscSample[:strings.LastIndexByte(unscSample[:1500], ' ')]
	for _, bc := range []struct {
		name, text string
		lang       text.Lang
	}{
		{"en", en, text.English},
		{"ru", ruSample, text.Russian},
	} {
		b.Run(bc.name, func(b *testing.B) {
			toks := an.Analyze(nil, bc.text, bc.lang)
			var dst []string
			b.SetBytes(int64(len(bc.text)))
			b.ReportAllocs()
			for b.Loop() {
				dst = g.Countries(dst[:0], bc.text, toks)
			}
			b.ReportMetric(float64(len(toks)), "tokens")
			b.ReportMetric(float64(len(dst)), "countries")
		})
	}
}
