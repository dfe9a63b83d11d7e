"""A weighting of an encoder's vectors under which customers' paraphrases of one request lie
closer together than requests that merely share a topic.

USE's raw cosine leans on what a text is about: a question that shares an entry's topic can sit
about as near it as a paraphrase does. One weight per dimension, fitted on Banking77's and
CLINC150's training questions (227 intents of customer requests, none of them a FAQ of ours) by
`python -m bench.metric PATH/TO/datasets`, stretches the dimensions that tell intents apart and
shrinks those that only say what the text is about. The FAQ index compares a question with the
entries' questions and answers under it; the words' own vectors (coverage by meaning) and the
models of requests and reactions read the raw vectors.

Refitting faq/calibration.py on the weighted cosines (`bench.calibrate`'s own operating points,
refit against refit, over the tuning FAQs and the bundled sample without alternates) answered 10
more of their 338 answerable questions right with the multilingual encoder alone and 23 more of
235 English ones with MiniLM beside it, for one more of 104 unrelated questions answered and
none more; the README's Quality section has what it did to the shipped bot's answers, tuning
and held out.
"""

from __future__ import annotations

import base64
from functools import cache

import numpy as np
from numpy.typing import NDArray

# float32, little-endian: the scale of each dimension of USE-multilingual-v3's vectors.
_USE_SCALES = (
    "zR82Pza4Uj+0VBQ/rKlmPxPI6T6zyHw/2fDQP3IHuD+0Yww/+u7AP1D1kT+qBiY/CLAUPzerYj+ByxRAAIPSP93p"
    "Zz9rzw8/svYBQDXvnz8swFY/WTZXP/ZOiD87LbA/Zn7kPpvosT9wI0I/+rSpP6/JhD/X4Bw/p6bRP4vSDT/YRjY/"
    "Rs0VP5Oivj/lX5s/a0i6P1AL2D9K5o4/A802P/Q8ED9X/Ms/MvO4P6D1Yz/F9oQ/yPuKP2Iv8D5qz7Q/maYFQL/t"
    "vT9Az4M/dANvPzohVz+EOiQ/e4RLP+QGGD8JHGg/RaC6P+2ZIj+n64U/fEvqP3g8Hj/vmMM/ZXEsPwviGD8/YqE/"
    "QtlwP/enwT+nHkQ/ewFhP4AGFz+fbZU/EpeiP1wdij9b7os/nSpmP8yh6j+T5YA/ndc3P4JAzD7M/3dA4/A2P7Sf"
    "1z9oQaI/r14nP+2MWT9OTRI/jZKBP1tRmz9+8HM/QKBPP9eYNj9WYjk/rWeiP65UTz8oziE/YyRYP5Yl2D7YwS0/"
    "99VmPzphkj+4MMY/96EkP2l0fD9I0IA/dEVIP2OXWD8p7hc/IiWKPxcWmz+bcsg/pCehP4Ye6j+gEU4/FuVTP3JM"
    "rj+Lz+M/+rH8P4K6fj9NrZU/iu8+P9uBlD9LmglApzKYPz3IVD+LdRlAedgXP1TFVT/007g/mhmkP9uwA0BZoII/"
    "9ynnP9dhij/3Hu8/tvMMPypk0T8WsUA/SXoVP9WNBkDg/8U/+TUEP46mkT/HH+0/zmdcP0w1nD9dQOU+CoAuPwjP"
    "Yz/tUu4/fMKmP7D8fj/xjBY/7eDiP5V1jj/nh8w/glNfP92rxz/Chjc/hAmqP+nSSD/cZ68/hVpbPz8TnD9h1lc/"
    "vv0GP0qDMT/OWS0/qVAgQH6Yhz+ahFc/+jqhP678RT8h/Cg/CxulP8HVNj+N8fM+bicyPxzRRj+AKOE+A/FKP5ea"
    "Uj8d54E/OWHcP7a6EEBvRj8/AQaIPza1Fz+cr3s/eUbBP/LwSD+QTS8/x2tkPxnkwz84GIo/Q168P2NRTT+bImA/"
    "nDgKQEaKrT+5ziU/XobjPzoFWj8BPqs/o4bSP7gm6j8/4l0/C+iNP2YhND+QmMw/gt/PPwNLHD8/WiA/HDaPPxKI"
    "Iz99C+0/PrmEPyOMuD/MAQdA5C1iP67BSj/Wqx0/Uq/jP/ncSj8vnPU+AeUGP1AlBT9jw0s/cBNTP54LUj/WJkU/"
    "frhmP5sdoz/zW7g/t9FHP1MUET9hmM0/tcpDP+VRhj/ktoM/lBAuPyLkHD8fjVk/JjcwP0omJz+TiE4/ZJsUP0/L"
    "RT+bg7Y/+VYyP2GoUD+3/M0/4loqP2TrIEAMRFE/2pKgP/lNgj8dI7c/Qb18PyChCT9XfiY/SfINP2+qmz/vIT0/"
    "XEaTP7srfz9SMSU/7fmWP5qtYz9uWZI/1PzPPw0fnj8edpE/BQpCP1OBlT/vZjw/J2stP41CpD+6XJc/Qc/VP5sd"
    "rz9thig/7eT+P9Harj+ymls/mUSTP/UmGD/yyWg/N0REPw5WFkDLcVA/SSzQP8KdxD9lkWs/6mcaP0xRET+j5Jw/"
    "EVBDP/sbej+Tt2k/8zVCPwvWpD+6EVk/tOeAP4PW4D9nDko/xeK4P3xORECezSc/B+yJP1h9Kj/2VdQ/df/0P5ME"
    "1j8/GTU/jdH9PrZh0D/ZdFE/M/YuP4iJrz8vW8Q/PdneP30OfT8yc3Q/L8zvP+FX7D8QcaI/zoq0P2/MET+XY/w+"
    "hhgsP1jC4T+ii98/fXZKPx4guT8WIEQ/NbcbP1GFMz/50v4/0kc1P2f9vD+Dp0s/DoDIPwJ0aj9ny34/lPi6P8u7"
    "EEBrOz4/JS6aP9CpaT+8/Vk/4IVuP/VxWj93XnI/ygAuP3GpQz9mveM/8J87PyWKYT/NygI/bKaSP84RUz/+pxk/"
    "cHYFQLk4mD8Sw6A/UXOhP92bzD7XZYo/Hv/MPzf4sD83Jp0/m8jiP6CDpT/WGCk/iz5oP9cXcj/uG3c/9UlrP5Vn"
    "eT9HEoo/ldI3P5Dfrz9AAkA/Nc2pP2Rx2j9fzKY/x4QYP10wKT/0ITA/J+WrPwtART/zWV8/i8F6P/izyz8TfCZA"
    "xhC9P4Sc7T8OdyE/peufPwooJD+f1gxA9aooP8hpdj+4lag/nEUAQGGMbT9+pS4/CjGhP/hfZj+MBSM/nv+BP1St"
    "eT8mZVs/2TczPzylDz9MKIk/jzc0PxsEPz/bPdA/jVCCP3uyDUDDXG4/1BjLP4q//D7acp8/qAdKP39ixT+Fpvg+"
    "vdJPP0hmRz8+5ZY/339MPyo8hT+cHas/DJU3P4itPj/rRzM/Q3AcPxNvOz8URf0/z6ghPyrybT81Pm0/BxxLP68m"
    "gz9ohg8/ZJzcP0NSUD/xyZg/9zDcPyrQRz+CIYo/34xSPycsPT/LDFI/SuoiP36slz/bc6w/8MMXP7NojD8mAC8/"
    "K7ELQD1wPj9+e6c/I0mdP3NAOD+zR1U/9tsAPymjNj8j4y4/NCbaP7EmnD95D1w/DtMAP01efD+ueJY/MeJcP79c"
    "5z9OprU/YWe+P7wrMD/sM48/RGjNP/CNcj/gV74/wwqFPxSJBUBoAjQ/11PMP9jflj+jzrM/LW5zPxYcqz/x4qc/"
    "yW8pP4YE0z+0qi4/Kbe2P7tNYz9rNuA/uczcP9Na5D6GIFY/GBMJP698KkBP1Ko/qX+sP+40gD9dM0A/N2/jPw13"
    "zj4="
)

_SCALES = {"USE-multilingual-v3": _USE_SCALES}


@cache
def _scales(encoder: str) -> NDArray[np.float32] | None:
    packed = _SCALES.get(encoder)
    if packed is None:
        return None
    # Read-only (over the decoded bytes): every index shares it.
    return np.frombuffer(base64.b64decode(packed), dtype="<f4")


def reweighed(encoder: str, vectors: NDArray[np.float32]) -> NDArray[np.float32]:
    """`vectors` (one per row, or one alone) under the encoder's weighting, of unit length;
    unchanged for an encoder without one."""
    scales = _scales(encoder)
    if scales is None or not vectors.size:
        return vectors
    weighed: NDArray[np.float32] = vectors * scales
    weighed /= np.maximum(np.linalg.norm(weighed, axis=-1, keepdims=True), 1e-12)
    return weighed
