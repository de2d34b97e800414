"""tilsite/nav/korean.py: the particle after a generated title agrees with how the title is read.

Two oracles that do not share the module's code: Unicode's own decomposition (NFD) of
a Hangul syllable, whose trailing jamo is the coda, for every title ending in Hangul;
and a table written by hand, title by title, from how each is read aloud in Korean.
"""

from __future__ import annotations

import unicodedata

import pytest

from sitetools import DOCS
from tilsite.nav.korean import attach, final_coda, particle
from tilsite.nav.summary import parse_summary

TITLES = [e.title for e in parse_summary((DOCS / "SUMMARY.md").read_text("utf-8"))]
SIDEBAR = (DOCS.parent / "tests" / "data" / "gitbook_sidebar.txt").read_text("utf-8")

# title -> (을 or 를, 로 or 으로), from reading the title aloud (the reading is the comment)
BY_HAND = {
    "맛보기": ("를", "로"),
    "CNN 첫걸음": ("을", "으로"),  # 걸음
    "행렬": ("을", "로"),  # 렬: ㄹ takes 로
    "(AI Math 2강) 행렬이 뭐예요?": ("를", "로"),  # 뭐예요
    "(04강) Convolution은 무엇인가?": ("를", "로"),  # 인가
    "데이터 분석을 위한 SQL": ("을", "로"),  # 에스큐엘
    "(02강) 뉴럴 네트워크 - MLP (Multi-Layer Perceptron)": ("를", "로"),  # 엠엘피; the parenthesis is not read
    "FBV (Function Based View)와 CBV (Class Based View)": ("를", "로"),  # 씨비브이
    "TDD (Test Driven Development)": ("를", "로"),  # 티디디
    "Python": ("을", "으로"),  # 파이썬
    "PyTorch": ("를", "로"),  # 파이토치
    "Transformer": ("를", "로"),  # 트랜스포머
    "BERT": ("를", "로"),  # 버트 / 비이알티... read as letters it ends 티
    "Plan": ("을", "으로"),  # 플랜
    ": TIL?": ("을", "로"),  # 틸
    ": WIL": ("을", "로"),
    "MAIN": ("을", "으로"),  # 메인 (letters: ...엔)
    "Algorithm": ("을", "으로"),  # 알고리즘
    "Level1": ("을", "로"),  # 레벨 일
    "Level2": ("를", "로"),  # 레벨 이
    "Level3": ("을", "으로"),  # 레벨 삼
    "Statistics110": ("을", "으로"),  # 백십
    "2021 TIL": ("을", "로"),
    "(9강) Ensemble": ("을", "로"),  # 앙상블
    "(6강) Model 2": ("를", "로"),  # 모델 이
    "(3강) Dataset": ("을", "으로"),  # 데이터셋
    "DAY 3 : DataSet/Lodaer | EfficientNet": ("을", "으로"),  # 이피션트넷
    "Advanced CNN 모델 파헤치기 - AlexNet, VGGNet, GoogLeNet": ("을", "으로"),  # 구글넷
    "(04강) LSTM and GRU": ("를", "로"),  # 지알유
    "(1강) MRC Intro & Python Basics": ("를", "로"),  # 베이식스
    "(Python 6강) numpy": ("를", "로"),  # 넘파이
    "(Python 7-2강) pandas II": ("를", "로"),  # 아이아이 / 투
    "(Python 3-2강) Pythonic code": ("를", "로"),  # 코드
    "(Python 4-2강) Module and Project": ("를", "로"),  # 프로젝트
    "(Python 2-1강) Variables": ("를", "로"),  # 베리어블스
    "[선택 과제 1] Gradient Descent": ("를", "로"),  # 디센트
    "[필수 과제 5] Morsecode": ("를", "로"),
    "[필수 과제 4] Baseball": ("을", "로"),  # 베이스볼
    "[필수 과제 1] Basic Math": ("를", "로"),  # 매스
    "(03강) Recurrent Neural Network and Language Modeling": ("을", "으로"),  # 모델링
    "DAY 11 : HardVoting | MultiLabelClassification": ("을", "으로"),  # 클래시피케이션
    "DAY 2 : Labeling": ("을", "으로"),
    "DAY 1 : EDA": ("를", "로"),  # 이디에이
    "DAY 10 : Cutmix": ("를", "로"),  # 컷믹스
    "DAY 5 : Facenet | Save": ("를", "로"),  # 세이브
    "2_EDA Analysis": ("를", "로"),  # 애널리시스
    "Report_Level1_6": ("을", "으로"),  # 육
    "(1-1) Welcome to Visualization (OT)": ("을", "으로"),  # 비주얼라이제이션
    "[P]MRC": ("를", "로"),
    "9M1W": ("를", "로"),  # 더블유
    "1H": ("를", "로"),  # 에이치
    "21Y": ("를", "로"),  # 와이
    "Wait a moment!": ("를", "로"),  # 모먼트
    "N-Queen": ("을", "으로"),  # 퀸
    "H-Index": ("를", "로"),  # 인덱스
    "Head First Python": ("을", "으로"),
    "Linear Algebra(Khan Academy)": ("를", "로"),  # 앨지브라
    "[따배런] Kubernetes": ("를", "로"),  # 쿠버네티스
    "[따배런] Docker": ("를", "로"),  # 도커
    "CoinTrading": ("을", "으로"),  # 트레이딩
    "Gatsby": ("를", "로"),  # 개츠비
    "Project. GARIGO": ("를", "로"),  # 가리고
    "JUN": ("을", "으로"),  # 준 / June
    "MAY": ("를", "로"),  # 메이
    "APR": ("을", "로"),  # 에이프릴
    "30 Wed": ("를", "로"),  # 웬즈데이
    "14 Mon": ("를", "로"),  # 먼데이
    "프론트엔드 기초다지기 (HTML, CSS, JS)": ("를", "로"),  # 기초다지기
    "정적 파일(static files) & 미디어 파일(media files)": ("을", "로"),  # 파일
    "0. 드디어 찾아온 Docker 강의! 왕초보에서 도커 마스터로 - OT": ("를", "로"),  # 오티
    "(10강) Experiment Toolkits & Tips": ("를", "로"),  # 팁스
    "(4강) Data Generation": ("을", "으로"),
    "(06강) Beam Search and BLEU score": ("를", "로"),  # 스코어
    "Mask Wear Image Classification": ("을", "으로"),
    "Performance | Review": ("를", "로"),  # 리뷰
    "(07강) Monitoring tools for PyTorch": ("를", "로"),
    "(Python 1-1강) Basic computer class for newbies": ("를", "로"),  # 뉴비스
    "(2강) Image Classification & EDA": ("를", "로"),
    "(1강) Competition with AI Stages!": ("를", "로"),  # 스테이지스
}

# words outside the mirror's titles, for the spelling rules the titles do not reach
WORDS_BY_HAND = {
    "Pipeline": "을", "Frame": "을", "Module": "을", "Setup": "을", "Lab": "을", "Stack": "을",
    "Deep": "을", "Group": "을", "Hook": "을", "Chart": "를", "Test": "를", "GitHub": "를",
    "Web": "을", "Plot": "을", "Topic": "을", "Queue": "를", "Core": "를", "Task": "를",
    "10": "을", "100": "을", "1000": "을", "10000": "을", "20": "을", "0": "을", "5": "를",
    "9": "를", "7": "을", "R": "을", "X": "를", "GAN": "을",
}


def test_every_title_has_a_reading():
    assert len(TITLES) == 513
    for title in TITLES:
        final_coda(title)  # raises ValueError when it cannot tell
    # the sidebar as GitBook wrote it: the same titles
    for line in SIDEBAR.splitlines():
        title = line.strip().lstrip("•").strip()
        if title:
            final_coda(title)


@pytest.mark.parametrize("title", [t for t in TITLES if "가" <= t.rstrip()[-1] <= "힣"])
def test_hangul_titles_agree_with_unicode_decomposition(title):
    jamo = unicodedata.normalize("NFD", title.rstrip()[-1])
    coda = jamo[2] if len(jamo) == 3 else None  # L V T: the third jamo is the coda
    assert particle(title, "을") == ("을" if coda else "를")
    assert particle(title, "이") == ("이" if coda else "가")
    assert particle(title, "은") == ("은" if coda else "는")
    assert particle(title, "와") == ("과" if coda else "와")
    assert particle(title, "로") == ("로" if coda in (None, "\u11af") else "으로")  # U+11AF: ㄹ


def test_hand_table_covers_the_titles_not_ending_in_hangul():
    for title in BY_HAND:
        assert title in TITLES or title in SIDEBAR, title


@pytest.mark.parametrize("title", list(BY_HAND))
def test_titles_read_by_hand(title):
    obj, by = BY_HAND[title]
    assert particle(title, "를") == obj, title
    assert particle(title, "으로") == by, title
    # the pairs move together: a coda takes 을, 이, 은, 과
    coda = obj == "을"
    assert (particle(title, "가"), particle(title, "는"), particle(title, "와")) == \
        (("이", "은", "과") if coda else ("가", "는", "와"))


@pytest.mark.parametrize("word", list(WORDS_BY_HAND))
def test_words_read_by_hand(word):
    assert particle(word, "을") == WORDS_BY_HAND[word], word


def test_attach():
    assert attach("맛보기", "을") == "맛보기를"
    assert attach("CNN 첫걸음", "를") == "CNN 첫걸음을"
    assert attach("행렬", "으로") == "행렬로"
    with pytest.raises(ValueError):
        particle("맛보기", "의")
    with pytest.raises(ValueError):
        final_coda("!!!")
