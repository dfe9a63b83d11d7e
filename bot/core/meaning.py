"""An unanswered message read by what it means: a request for a person, or small talk, in words
the patterns of `bot.core.intents` do not know.

Each batch of customer messages written apart brought phrasings the patterns missed ("could a
human being please read this at some point", "ya moyen de tchatter avec un vrai conseiller ??",
"Thank you!! I got in!!! 🎉"). Two logistic models over the message's multilingual sentence
embedding (USE, installed with faqbot) read some of them, in English and French. The one for
requests also reads some FAQ questions about people as requests ("can the chatbot hand
conversations over to one of my staff?"), so both are asked only once the search (or the LLM)
has found no answer: a question the FAQ answers is answered whatever they say. A miss read as a
request opens the ticket at once instead of offering one (it is still a gap); a miss read as
small talk gets a short reply instead of the offer. In lexical-only search, which embeds
nothing, the patterns decide alone.

Both are fitted on the tuning set, which bench/meaning.py describes:

    python -m bench.meaning evals/dev --datasets PATH/TO/datasets
"""

from __future__ import annotations

import base64
import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from faq.semantic import Encoder

# The encoder the models read: its vectors, not another's.
ENCODER = "USE-multilingual-v3"


class Meaning(enum.StrEnum):
    REQUEST = "request"
    SMALL_TALK = "small_talk"


@dataclass(frozen=True)
class Reading:
    bias: float
    # float32, little-endian, one weight per dimension of the encoder's vectors, in base64.
    weights: str
    # The probability from which a message reads so.
    bar: float

    @cached_property
    def _weights(self) -> NDArray[np.float32]:
        return np.frombuffer(base64.b64decode(self.weights), dtype="<f4")

    def probability(self, vector: NDArray[np.float32]) -> float:
        return 1.0 / (1.0 + math.exp(-(float(vector @ self._weights) + self.bias)))


def read_unanswered(text: str, encoders: Sequence[Encoder]) -> Meaning | None:
    """What a message the FAQ has no answer to means, if the models are sure; None without
    their encoder (lexical-only search). A request wins over small talk."""
    encoder = next((e for e in encoders if e.name == ENCODER), None)
    if encoder is None or not text.strip():
        return None
    vector = encoder.embed_query(text)
    if REQUEST.probability(vector) >= REQUEST.bar:
        return Meaning.REQUEST
    if SMALL_TALK.probability(vector) >= SMALL_TALK.bar:
        return Meaning.SMALL_TALK
    return None


# A request for a person. The bar is high because the model also reads some FAQ questions about
# people as requests. Models fitted on the earlier tuning batches read, at this bar, 7 of the 34
# requests the patterns of the day missed in the last two batches, and 1 of their 100
# look-alikes; the model shipped takes 5 of tests/test_intents.py's 212 look-alikes and 3 of the
# tuning set's 270 for requests among those the bundled FAQ has no answer to.
REQUEST = Reading(
    bias=-3.602443,
    weights=(
        "EXvyPq8S/78GpCJAb9ObPvaJCcAQClbAU+ILvx4fgj+YEvu/cHJ5PBvP9L86ayy/l8gOPpzYJ0BR+3o+mJPl"
        "vvd3K8C/2cw/AbpLwDno2D+L9ve+bi50P0cz9D/2Irg/G186PxWmJb+G3V8/jPocv0wJnr+1ztY9MjikvyOV"
        "JEAhKS1Awl8zQP0TaECiUpu/m8rOP5xt5T9jRQK8rFOiP/CsAD/AszA/p3oaPl+pJcDHz3A/6+GSPmLeH7+v"
        "A0++U0jZP9i9MkBGwyPAxuIAv0EM7L9AcaU/AutnPz5BGMDip1i/WJIGQCMdgj9kvpG/Jz5kPsxD8z+JlMG/"
        "9/8cwKmOtL9KTua+R/VYvx+W8L+kGgw+mwzXP4IQEMAk9NS/hTiTP+K3Dj4OAP8/ASnwP04jur8iqTg/aNiW"
        "P4Aml8Ah/92/rY4CwBFAFT/mBv++wzPPv1ksQMDoJXM/trv0PcIMJD/ipTzAtsiYv00G375nwMk+e4lov8x3"
        "Lj7sa1I/3I3mP8ztjL/X9Ls+uYqAviuQEb+UGc4/WcMlQKHK7r+0TMi/bJMIQHqrSj8UtQI/Iy7XvUfxZ0C9"
        "QF4/+F+Nv1Cynj/aRVtAkg8AP98khMDkyJa/NQmcvv84PkAab+E9xrf2vjCVnz6pRiG/XOCxP03X7T+bXPo/"
        "Hc2vP6Vxmr2TmB2/YqA3P5vs/L7zMYw/w3bNPDpkAcBJd40/y5qDwL33Jz7TqA/AmB0Jv92uQz6CiJW/fF0E"
        "v94lCr4poys+0Wn+v4wI4D84VUtA1TGoP8OEHEBLbng/95IEwCMMF8AH/AM+NHclwHA0aT9+Qge/vR1zQOif"
        "fr544M2+1I/gvhcy+T/9aG2/1FGCQFQtcz9vM1+/yFFKvz+kGb/s6hzAhqW9v3NQrb4Xu34/HLFtQPVkLMBZ"
        "Bnw+H2KRv7OMjz2QhN6/4JG+v0kzyb8s3dG/gklGQF09+b+HrIq+6EaAv/ZqvL9Ry7a+bYULQJVxvT/vlvq/"
        "t3eCwJPLJMCiMgXA+ESGPwUo575STOQ/tQWUv7Ci0j46l+O/sRzDv6uGtT+QLUi+TLIbQE7easAopCy/rkZh"
        "voFyUT++Saw/gm20v+CmNkBHwwi+TQmWvozwLb8ogjtAGgdgv8CYAUA7XZm9c+qQv+Yhdz/C/aK+65wjwAOn"
        "6r2apJ+/mwrovw4oND/8MzpA1zEhwMixKsC3LIU/CUa0PiMeKr9oKMy/a9a+vxvxn7/rJ5i/rMYmvxobvD+5"
        "JYo/e+V+v+C+L0At5Vm/oBOHP/nYuD7VGwBAwIqkPwbWbr9XZfq9IGy/Pyicij/RNxK+JnjKPyOPDj+VO+y/"
        "6y2lvURG4D8IkN69X8ZIPc9wt7/Eh2Q+T647P2+te8A22og/PBimPngBzz/Y3dq/sQqRP/J5Pj7urqK/Sr/R"
        "vwghA8CFA2W/l70eQKfggz9kVua/n7MuP377Jj92bXg+pcSIv2q04z/+1ss/6+vqP6WjaT3nRXC9ylBLv61A"
        "KMBAs7w/23DGP23rLECP9CHAXSjvvkBFjL8j61m/FGOSQG2fQz85wt8+1hWMPvBcFT/Uvf+/uJfiP/w2sj/w"
        "Voa/mNSmPwS3bL9HGzU/MPolQFKyr7+/fOQ/G3cswCiR2z9FwrA/eEXCv26M9L9pmLo++vIXv2Pn7b4grhzA"
        "kGS0v47Ulj/E0vU+1KGBv9CoQcCu4oc/u2G2v2wjjL+wASTAcqvrvq6Z5z6XOWQ/rYIrP/XuHj/AJx0/kNBc"
        "P9uZCcAZiwG/t6+HPQ9iSb0LrRTBOGNDv6LGX0Ai0Ge/HxhyvGqLGEAlSbm/zSEMwA8Dnr9PFxBAjR3gPxBj"
        "rLuJZp2/1l7WvxiojD+L4t8/aY60P5WNyz8GYwQ/W79AQPxkEz/MgDE/NTAoPyktssALKV0+gDogQExJGz7H"
        "zPw/mvMCQI/UUUAdnwnAK/3nP8c7l8Dj/AbAGWaUPLzFc785IDm/aXHXP4O5Eb/UKfg/rS+jv00u8r8kMZa/"
        "1rMvPyWDQz+4Coa8FMNyPk2kdz+bnl4/yaLqPrZzvj9yCV6+vL/sP3wDlb9589K/RRobP0bsDsA+iZY96SM+"
        "QJC3Gz+cTMc/tckwQBXp5r/XNiTAUonSPyZDJb/bhIu/qRQSvxERo780rbo/ZSUOwHNtvr6FQUa/HPNBwFVi"
        "nr4D4ui/tLsnQBxOKUBfpFpAs6+vP16k57+ZbrS9+Fd8P38qoj6+Rg1A4gQXwK+jsj7re76/rPUsQLJRcr9G"
        "U3o+DqAsQJ+yd79EONi/217Uv2BSHUDTmBrAmje0P/5nfD9jngRAxcu2P85B+bxK8S4+2MlCP1bQ2T9CYDtA"
        "Y3ODv491pj/gqofAa/wFwIiWu0BgWAA/r/85wG8eY0BIzFjAYwpaP/OorT/GqhZANTSsP8G9er/UFXU/FghV"
        "QIk8EMCYrGZA2cGUPhMTHz9XhhvAbdFgP5o2TEAqe/G/uVRuPyBnrL8S6CE/KCfGP6baAUBuGry/aO1vQJvb"
        "0D+BrNW/xIyhv0mcFEAi/Q5AKxi9v/8DpD+UO8i/nhaOP933Hr9Uejg+KT10v42JCj79nR1AGBg6P+nFOMDd"
        "yew/5e+2v8Vyg79Wmfq9cwX3vlGk7L99s6S8eGQgPz5k6T9jJdU+ApCyPcyZo7+KfWq83zWsv7ZS7b+hCD7A"
        "3AwLQEMCXz7kSA5A+7YpQELfHcB7MQ+/6l2WP12MXj8="
    ),
    bar=0.98,
)
# Small talk. Fitted on the batches before it, the model read 7 of the 19 small-talk messages
# the patterns of the day missed in the last tuning batch that had any, and none of its 90
# requests and 70 look-alikes.
SMALL_TALK = Reading(
    bias=-1.336250,
    weights=(
        "019nP9KSrj/MHIs/ITgqPpSWJT8JBDW+yahdP92CDr4fUNS/pUcHv/+TKT+yMdM+f90hv92M4r3EkA/AJ3oL"
        "P+Puyb2Mhqk+FYlcPx7/dj6zfzG/xPm4PbvbM78Bn2C/q7lvPNPpmr62cYE/jyaqvPGmI7+ObS8+hdY6P+45"
        "/73GVHy/mv57PhD6LD8g6k3AQodaP10t+b19s4e/e/ewPcTzHr/fWMs97buuv/UKR78ZeGC+mZxDPvuPBL+f"
        "gcY+iZzBv59rk79QMzi/wYX0vV0K8r4m9gw/qt0kPUvcDsB+Hq28tMewviKQob25BOE9bTjevnaRsL/GXDW/"
        "+C+NPkUqY78Hmni/E4qtPyMyKb/r8Hs+1AFzvwqUnz+lIa2/M57Sv7KFwL5ZdS2/fwI2v8vkm75Tloq/rbuw"
        "P6a17j+W4z2/Wi33vrCL1L6vwRU/9ybXvb/gxj/PZ6c+N9GevyR8576s4dA+rxaZv5DaQT39lo2/6cwLPzof"
        "Qr6FPwi/mvOvv2CUiL+wri+/FL4jvpODjz9AbZe+W+DQP/AY7j73LfK906DQPs1tY78DttU/hec5P28hn796"
        "83M+cNkWP9ImKD9XrBE/U3OAP0Q/lb8nBJo+j02Zv8dNwz67bvs+1N3HP3O4Kr1wDNG+12sGv1gPAr9OaMK/"
        "kQPQvtjyC75Yem4/RxeRv182j75KFJo+iLX4PpMlJb9epUg/w26Xv52Dab0+aMs/nYoQwG98CkC+otq+PmqC"
        "vnAaj71U3C8/1kRNwIs+2z6P7Lw/Pku8v9THZT3mEO++UGpiPSg5iT4FQou/5H3ivLPT079ztTC/YZmqPobC"
        "TD4QqJm+TperPjcCKz/F9gm+X1V5PjvvLT+Dnvy+3ZUFP5N8Vj13g72/NCKIvxeh2z3FDKe/csbhvQNSSL+k"
        "12E/TXURPR4zXz4u906/b4jBPbsuML5kuEe/bDBFv6VyMT+OwFe/IFTcvvEHyD2oc0g9C0KxP3ZOibzU3Gi/"
        "kBolvVXGaD+qk6m+vPgIPlb8Fb9Q5Ya/84fzvSQGoj++LrO/rPgQv8B8m73tpnU/RjV6Pth1Lb0UccU9fWrj"
        "PoSZdD/FhKo9loz9Ph+tlL5O/YC/OJ2QPzj8Oj8iZKg+vGG3PwytpL+R92y+5iewvn41Wz8om5E/G9X5PQiE"
        "WD+/qJ+8U4XePtqphD8nuzdA4tuRvyBYWz+cSQw/O84MP6Z3JD+58yw++44BQMwQpD94Rzm/RSMJv+KVsz7X"
        "CIu+6lWDv0YnBr/zAgm9WCBIvwU0tD4gAwW/0AMPPUz9KT949me/VtbSP2piyz7iuiu/tBDyvsPOoj9d/Vw+"
        "+vhgPoxcrz3We4g+YMF7Pz72t75NDkW/Hlg/P6LiHD/8Bqi+i+RQP3SIor7nk8y/T9Sfviqi0T9guea9hdrN"
        "P2tznr8pY7w/GK8uPjIol76tJ0a/Rp3PPZ4gP78VHyq/FwAkv6a4ED+dXKQ/BIEIvZUDuj9Wre++iJbWvufB"
        "P7+jzDu/Y36fu/IQpL+XZfE+Pzn9Pt/E8L7+gAw/fSRUvxzxmL46OzM/mSGJP0bgPz9g4eQ+jIqHP5N98T7T"
        "Jpw/Ugxyv/29kT8+eAc/OqrGvd7V7L0qMSC/x5RUPehWy7+hYRa9HM5kvRo4l789IqE+FZHrPjjMrT7kkZI/"
        "Zv/zv2fusD4FYDs/jRCnvtr3DD9RCQc/NzmuPmNwHz38TE497qmyPkavjD6l6r0+p0SLPGJtDD6muZE/TLgC"
        "QPYGNj/u2L+/8s2av8pjfr8s1EO/2Hyuve9AM7/oG/+/baRUP88/bb7HljU/spYNv0mgdz/3VPq+pmaIP55u"
        "376Zrp8/IViUvRrEar4A3qe/vTGGP5eG1j6cIAm/bW8qP91obL+1JUi9Y2QTPg+Q6T2XUZy+DQ/ZPr6Xsr54"
        "296+hlU/P7E8djyO/VO+hBQPvqkeZj0wHUO+5LkKPxe5gz/V2ui/JxhTP4efVr7fCbi+u2SRPbw3bL8xRsI9"
        "1zdzv1TGEz/txkS+O0MbvzmMVr4E8fe+pZ1Vv1qWjr3FaZa/KN4QPjSJob2I/6S+3SGqvkpno736YC+/V5+1"
        "v3kACr900YW/0w9Fv0nLMD9o0OW/CoV+vh8gXL+Go9a+LhBnPkZ/er4AUxa/pwFovzBHUT797bs9wUk2Pyz6"
        "GT+J5gW9DpSYvicI7j77bci/YUZGPyan07/bKQHAhN2Wvnt3Ar+st0C/dRXCPjQrnz4eGSE+iOi7v2fWjD4x"
        "ftI+7CXBv9r/0L6dXIq/NZeVP7Tl7D4liGG9rX8rv/Ihjb5sGqQ+2H5EvxFjPT4IfaS/8rroPj+5+76cTBDA"
        "DeUHPynLVr8tj6q+urw4Pzg1NL2IXqs/boJWQK0eOz8rlku+i0yJv5gbgD+LzMy/MeFzv871Kb8V14U+RV99"
        "PgM81j48Vc08oj6ev905Tb+Z1ia/tA3rPr+DhL9kK1O/S3TavjW7Gj8HXMA+GpoFvkRvx7+ZHhi+n+BIP23o"
        "/D43m5k/9+hCP9L0uL84f+E+ah2pvtUANT+1bEE+yF2FPib2NUCw792/Z0qmvRUG+zysUx4/4tT/PqB8/b8i"
        "hEM/AgmlPuMafj+RTYW/0KJvv+YRB78+y0M/yATkPgAXX7/GrI6/dPZYv03SkL+xHfg+My+XPhgtfr6wDQI/"
        "6QmbP+vgBUDn3l+/ljrovc/+RbxeXiI/D3WfPWf/p78="
    ),
    bar=0.95,
)
