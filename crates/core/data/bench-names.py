#!/usr/bin/env python3
"""Builds the realistic bench profile's name lists (see README.md, "bench-*.txt").

Usage: bench-names.py SOURCES OUT_DIR, SOURCES holding the unpacked npm
packages `@zxcvbn-ts/language-*` (folders zxcvbn-ts-language-*/package) and
the unpacked Faker wheel (folder faker/). Writes bench-first-names.txt and
bench-surnames.txt (one name a line, the most common first, languages
interleaved by the shares below so that every rank mixes them as an
international company's directory would) and bench-domains.txt (300
made-up company mail domains). Deterministic: the same sources
give the same files.
"""

import importlib
import json
import random
import sys
import unicodedata
from pathlib import Path

SOURCES = Path(sys.argv[1])
OUT = Path(sys.argv[2])
sys.path.insert(0, str(SOURCES / "faker"))

PARTICLES = {"van", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "von", "zu", "du", "la", "le", "ten", "ter", "bin", "al", "el"}


def zxcvbn(language, file):
    folder = next(SOURCES.glob(f"zxcvbn-ts-language-{language}-*/package/src"))
    return json.loads((folder / file).read_text(encoding="utf-8"))


def faker(locale, attribute):
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    values = getattr(provider, attribute)
    if isinstance(values, dict):
        # Weighted lists: heaviest first.
        return [name for name, _ in sorted(values.items(), key=lambda item: -item[1])]
    return list(values)


def shuffled(names, seed):
    """Alphabetical lists carry no frequency: a fixed shuffle instead."""
    names = list(names)
    random.Random(seed).shuffle(names)
    return names


class Unordered(list):
    """A list known to carry no frequency order, alphabetical or not."""


def fold(text):
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def capitalise(name):
    """`de smet` -> `De Smet`, `van der berg` -> `Van der Berg`,
    `o'brien` -> `O'Brien`, `mcdonald` -> `McDonald`, `CHIA-HAO` -> `Chia-Hao`."""
    if not (name.islower() or name.isupper()):
        return name
    words = name.lower().split(" ")
    out = []
    for index, word in enumerate(words):
        if index > 0 and word in PARTICLES:
            out.append(word)
            continue
        parts = []
        for part in word.split("-"):
            if len(part) > 2 and part[1] == "'":
                part = part[0].upper() + "'" + part[2].upper() + part[3:]
            elif part.startswith("mc") and len(part) > 3:
                part = "Mc" + part[2].upper() + part[3:]
            else:
                part = part[:1].upper() + part[1:]
            parts.append(part)
        out.append("-".join(parts))
    return " ".join(out)


def latin(name):
    """Only Latin letters, spaces, hyphens and apostrophes, 2+ letters."""
    letters = [c for c in name if c.isalpha()]
    if len(letters) < 2:
        return False
    for c in name:
        if c in " -'":
            continue
        if not c.isalpha() or "LATIN" not in unicodedata.name(c, ""):
            return False
    return "  " not in name and not name.startswith(("-", "'", " ")) and not name.endswith(("-", "'", " "))


def accented(names, *references):
    """Gives an unaccented list the accents its language's other lists have
    (`garcia` -> `García`), and drops an unaccented twin an accented entry
    already stands for (`novakova` beside `nováková`)."""
    spelled = {}
    for reference in references:
        for name in reference:
            if fold(name) != name.lower():
                spelled.setdefault(fold(name), name)
    for name in names:
        if fold(name) != name.lower():
            spelled.setdefault(fold(name), name)
    out = []
    for name in names:
        if fold(name) == name.lower() and fold(name) in spelled:
            name = spelled[fold(name)]
        out.append(name)
    return out


# Where a list in alphabetical order (no frequency to go by) starts: its
# names, shuffled, rank after this many of its share's frequency-ordered
# ones, so that the most common ranks hold names known to be common.
UNORDERED_START = 150


def interleave(sources, keep):
    """Merges (share, names[, limit]) lists: the n-th name of a list with share s
    ranks at n / s, so a list with twice the share gives twice as many
    names at every depth. Duplicates (ignoring case and accents) keep their
    best rank. Keeps the `keep` best ranked."""
    ranked = []
    for order, (share, names, *limit) in enumerate(sources):
        start = 0
        folded = [fold(name) for name in names]
        in_order = sum(a <= b for a, b in zip(folded, folded[1:]))
        if isinstance(names, Unordered) or (len(names) > 20 and in_order > 0.9 * (len(names) - 1)):
            names = shuffled(names, order)
            start = UNORDERED_START
        names = names[: limit[0]] if limit else names
        for index, name in enumerate(names):
            ranked.append(((start + index + 1) / share, order, index, name))
    ranked.sort()
    seen = set()
    out = []
    for _, _, _, name in ranked:
        name = capitalise(name.strip())
        key = fold(name)
        if key in seen or not latin(name):
            continue
        seen.add(key)
        out.append(name)
    return out[:keep]


# Names the packages lack, written out: Cantonese and other romanised
# Chinese surnames, Vietnamese and Korean surnames and given names, some
# Indian, Arabic, Nordic and Turkish ones, roughly most common first.
CHINESE_SURNAMES = "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo Zheng Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan Yuan Cai Jiang Yu Du Ye Cheng Wei Su Lu Ding Ren Shen Yao Jin Fu Zhong Wong Chan Ng Ho Lau Cheung Leung Lam Tsang Chow Yip Kwok Tse Mak Tam Lo Fung Au Ip Siu Yu Choi Kwan Chu Yeung Lai Tong Hui Poon Man Sze Lee Tan Lim Teo Goh Ong Chua Koh Yeo Sim Ang Tay Low Wee Seah".split()
VIETNAMESE_SURNAMES = "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đoàn Vương Trịnh Trương Lâm Phùng Mai Tô Hà Tạ Châu Quách Lưu Cao Kiều Thái".split()
VIETNAMESE_GIVEN = "Anh Bảo Bình Châu Chi Cường Dũng Duy Dương Giang Hà Hải Hạnh Hiếu Hiền Hoa Hùng Hưng Hương Huy Huyền Khánh Khoa Lan Linh Long Mai Minh My Nam Nga Ngân Ngọc Nhung Phong Phúc Phương Quân Quang Quỳnh Sơn Tâm Thanh Thảo Thu Thủy Tiến Trang Trinh Trung Tuấn Tùng Uyên Vân Việt Vy Xuân Yến".split()
KOREAN_SURNAMES = "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon Hwang Ahn Song Yoo Hong Jeon Ko Moon Yang Son Bae Baek Heo Nam Noh Ha Kwak Sung Cha Joo Woo Koo Min Ryu Na Jin Ji Eom Chae Won Chun Bang Gong Hyun Im Pyo Yeo Yun Byun Gil".split()
KOREAN_GIVEN = "Min-jun Seo-yeon Ji-hoon Ji-woo Hyun-woo Soo-ah Do-yoon Ha-eun Joon-ho Ye-jin Sung-min Eun-ji Jae-won Yu-na Dong-hyun Min-seo Sang-woo Hye-jin Tae-yang Ji-min Young-ho Su-bin Jin-woo Da-eun Seung-hoon Na-yeon Kyung-soo So-yeon Woo-jin Mi-rae".split()
INDIAN_SURNAMES = "Patel Sharma Singh Kumar Gupta Shah Mehta Reddy Iyer Nair Rao Joshi Desai Kapoor Malhotra Chopra Menon Pillai Das Bose Banerjee Chatterjee Mukherjee Ghosh Sen Jain Agarwal Verma Mishra Pandey Yadav Khan Naidu Shetty Kulkarni Deshpande Bhat Hegde Krishnan Subramanian Venkatesh Ravi Pai Gill Sandhu Sidhu Dhillon Grewal".split()
INDIAN_GIVEN = "Aarav Aditya Amit Ananya Anil Anjali Arjun Deepa Deepak Divya Ganesh Gaurav Isha Karan Kavya Krishna Lakshmi Manish Meera Neha Nikhil Pooja Priya Rahul Raj Rajesh Ravi Rohan Sanjay Sneha Sunil Suresh Tanvi Vijay Vikram Vivek Aisha Arun Harish Kiran Lalit Madhav Nandini Pradeep Rekha Sachin Shreya Uday Varun".split()
ARABIC_SURNAMES = "Al-Sayed Haddad Khalil Hassan Hussein Ibrahim Mansour Nasser Saleh Aziz Darwish Farouk Habib Hamdan Jaber Karam Khoury Mahmoud Mustafa Najjar Qasim Rahman Saad Sabbagh Shami Suleiman Yousef Zidan Abboud Awad Bakr Issa Said Omar Ali Ahmed Mohamed Amin Salem Othman Bakri Tahan Bitar Hakim Fakhoury Nassar".split()
ARABIC_GIVEN = "Ahmed Mohamed Omar Ali Youssef Karim Hassan Hussein Khaled Tarek Amir Samir Nabil Rami Ziad Walid Bilal Hamza Yasmin Layla Nour Fatima Aisha Mariam Rania Salma Hana Dina Leila Zeinab Amina Farah Lina Huda Jamal Faisal Mahmoud Mustafa Ibrahim Adel".split()
NORDIC_SURNAMES = "Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Jensen Karlsen Johnsen Pettersen Eriksen Berg Haugen Hagen Johannessen Andreassen Jacobsen Dahl Jørgensen Halvorsen Henriksen Lund Sørensen Jakobsen Moen Gundersen Iversen Strand Solberg Svendsen Eide Knutsen Martinsen Paulsen Bakken Kristoffersen Mathisen Lie Amundsen Nguyen Rasmussen Ali Lunde Solheim Berge Moe Nygård Bakke Kristensen Fredriksen Holm Lien Christensen Andresen Nielsen Knudsen Evensen Sæther Aas Myhre Hanssen Ek Öberg Åberg Söderberg Lindqvist Sjöberg Wikström Östlund Ström Holmström Lindström Bergström Nyström Sundström Åström Höglund Björk Dahlström Ekström Forsberg Hedlund Lundgren Mäkinen".split()
TURKISH_SURNAMES = "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan Kılıç Aslan Çetin Kara Koç Kurt Özkan Şimşek Polat Özcan Korkmaz Çakır Erdoğan Yavuz Can Acar Şen Aktaş Güler Yalçın Güneş Bozkurt Bulut Keskin Ünal Turan Gül Özer Işık Kaplan Avcı Sarı Tekin Taş Köse Yüksel Ateş Aksoy Öz Er Ay Uz".split()
TWO_LETTER_SURNAMES = "Li Wu Xu Ng Ma Yu He Hu Lu Du Su Ye Le Do Ho Vu Lo Au Ip Oh Ko Ha Na Im Ji An Ek Öz Er Ay Uz Al Bo Ly Ta Mo".split()

first_names = interleave([
    (30, faker("en_US", "first_names_female")),
    (30, faker("en_US", "first_names_male")),
    (10, faker("en_GB", "first_names")),
    (12, zxcvbn("en", "firstnames.json")),
    (8, faker("de_DE", "first_names")),
    (4, zxcvbn("de", "firstnames.json")),
    (8, accented(zxcvbn("es-es", "firstnames.json"), faker("es_ES", "first_names"))),
    (3, faker("es_ES", "first_names")),
    (5, faker("fr_FR", "first_names")),
    # In this package's release the French first- and last-name files are swapped.
    (4, zxcvbn("fr", "lastnames.json")),
    (6, faker("it_IT", "first_names")),
    (3, zxcvbn("pl", "femaleFirstnames.json")),
    (3, zxcvbn("pl", "maleFirstnames.json")),
    (2, zxcvbn("nl-be", "girlsFirstnames.json")),
    (2, zxcvbn("nl-be", "boysFirstnames.json")),
    (2, faker("nl_NL", "first_names")),
    (1, zxcvbn("fi", "femaleFirstnames.json")[:600]),
    (1, zxcvbn("fi", "maleFirstnames.json")[:600]),
    (3, faker("sv_SE", "first_names")),
    (2, faker("da_DK", "first_names")),
    (1, faker("no_NO", "first_names")),
    (3, zxcvbn("pt-br", "firstnames.json")[:1200]),
    (1, faker("pt_PT", "first_names")),
    (3, faker("zh_CN", "first_romanized_names")),
    (3, faker("zh_TW", "first_romanized_names")),
    (2, VIETNAMESE_GIVEN),
    (2, KOREAN_GIVEN),
    (4, INDIAN_GIVEN),
    (3, faker("en_IN", "first_names")),
    (3, ARABIC_GIVEN),
    (1, [name.replace("-", " ").title().replace(" ", "-") for name in zxcvbn("ar", "firstnames.json")]),
    (3, faker("tr_TR", "first_names")),
    (2, Unordered(faker("ga_IE", "first_names"))),
    (1, accented(zxcvbn("cs", "firstnames.json"))),
    (1, faker("sk_SK", "first_names")),
    (1, faker("hu_HU", "first_names")),
    (1, faker("ro_RO", "first_names")),
    (1, faker("hr_HR", "first_names")),
    (1, faker("ja_JP", "first_romanized_names")),
], keep=8000)

surnames = interleave([
    (30, zxcvbn("en", "lastnames.json")[:9000]),
    (6, faker("en_GB", "last_names")),
    (8, zxcvbn("de", "lastnames.json")),
    (2, faker("de_DE", "last_names")),
    (9, accented(zxcvbn("es-es", "lastnames.json")[:4000], faker("es_ES", "last_names"))),
    (2, faker("es_ES", "last_names")),
    # Swapped in this release: firstnames.json holds surnames.
    (5, zxcvbn("fr", "firstnames.json"), 3000),
    (2, faker("fr_FR", "last_names")),
    (4, faker("it_IT", "last_names")),
    (2, zxcvbn("it", "lastnames.json")),
    (3, zxcvbn("pl", "maleLastnames.json")[:3000]),
    (3, zxcvbn("pl", "femaleLastnames.json")[:3000]),
    (3, zxcvbn("nl-be", "lastnames.json")[:2500]),
    (2, faker("nl_NL", "last_names")),
    (2, zxcvbn("fi", "lastnames.json")[:2000]),
    (3, NORDIC_SURNAMES),
    (2, faker("sv_SE", "last_names")),
    (1, faker("da_DK", "last_names")),
    (1, faker("no_NO", "last_names")),
    (5, CHINESE_SURNAMES),
    (2, faker("zh_CN", "last_romanized_names")),
    (2, faker("zh_TW", "last_romanized_names")),
    (3, VIETNAMESE_SURNAMES),
    (3, KOREAN_SURNAMES),
    (4, INDIAN_SURNAMES),
    (2, faker("en_IN", "last_names")),
    (3, ARABIC_SURNAMES),
    (1, [name.title() for name in zxcvbn("ar", "lastnames.json")]),
    (3, TURKISH_SURNAMES),
    (1, faker("tr_TR", "last_names")),
    (2, TWO_LETTER_SURNAMES),
    (2, faker("pt_PT", "last_names")),
    (1, zxcvbn("pt-br", "lastnames.json")),
    (2, Unordered(faker("ga_IE", "last_names"))),
    (1, accented(zxcvbn("cs", "lastnames.json"))),
    (1, faker("sk_SK", "last_names")),
    (1, faker("hu_HU", "last_names")),
    (1, faker("ro_RO", "last_names")),
    (1, faker("hr_HR", "last_names")),
    (1, faker("ja_JP", "last_romanized_names")),
], keep=30000)

# Company mail domains: made-up company names (a root, often an industry
# word) under the top-level domains of the languages above, most used first.
ROOTS = "acme alder apex arbor argo atlas aurora beacon birch blue bright cedar cobalt comet copper coral crest delta ember falcon fjord fox granite harbor helix horizon iris ivory juniper kestrel lumen lynx maple marble meridian mistral nimbus nord north oak onyx orbit orion pacific pine polar quartz raven ridge river sable sage summit sun swift terra tidal titan union vega vertex vista willow zenith nova alpen sol baltic iberia lumo kiva sakura jade lotus cedro".split()
INDUSTRY = ["", "", "", "group", "logistics", "bank", "capital", "systems", "labs", "health", "energy", "media", "consulting", "partners", "foods", "motors", "insurance", "retail", "pharma", "tech", "bau", "werke", "conseil", "seguros", "costruzioni", "handel", "finans"]
TLDS = ["com", "com", "com", "com", "co.uk", "de", "fr", "es", "it", "pl", "nl", "be", "se", "dk", "no", "fi", "ch", "at", "ie", "pt", "com.tr", "in", "com.au", "ca", "vn", "kr", "cn", "io", "eu", "net"]
chooser = random.Random(19)
domains = []
while len(domains) < 300:
    root = chooser.choice(ROOTS)
    industry = chooser.choice(INDUSTRY)
    joiner = chooser.choice(["", "-"]) if industry else ""
    domain = f"{root}{joiner}{industry}.{chooser.choice(TLDS)}"
    if domain not in domains:
        domains.append(domain)

OUT.mkdir(parents=True, exist_ok=True)
(OUT / "bench-domains.txt").write_text("\n".join(domains) + "\n", encoding="utf-8")
(OUT / "bench-first-names.txt").write_text("\n".join(first_names) + "\n", encoding="utf-8")
(OUT / "bench-surnames.txt").write_text("\n".join(surnames) + "\n", encoding="utf-8")
print(f"{len(first_names)} first names, {len(surnames)} surnames", file=sys.stderr)
