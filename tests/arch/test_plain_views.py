"""The arch records' JSON views (``PLAIN_VIEW``) as `rnncap.plain.to_plain` writes them.

Figures are counted by hand for ``rnn_tanh:1x2`` on 1 input, 3 steps, 1 output (PyTorch):
weight_ih 2x1, weight_hh 2x2, two bias vectors of 2 (10), head 1x2 + 1 (3). Per step the cell
does 2*1 + 2*2 = 6 MACs and 2 units * 2 + 2 bias vectors * 2 = 8 element-wise FLOPs.
"""

from __future__ import annotations

from rnncap.arch import count_flops, count_parameters, frontier, parse_arch
from rnncap.plain import to_plain

SPEC = parse_arch("rnn_tanh:1x2", input_size=1, seq_len=3, outputs=1)


def test_parameter_count_view_keeps_its_keys_in_order():
    doc = to_plain(count_parameters(SPEC))
    assert list(doc.items())[:5] == [
        ("arch", "rnn_tanh:1x2"),
        ("convention", "torch"),
        ("total", 13),
        ("recurrent", 10),
        ("per_layer", {"layer 1": 10, "head": 3}),
    ]
    assert [(t["tensor"], t["shape"], t["count"]) for t in doc["tensors"]] == [
        ("weight_ih_l0", [2, 1], 2),
        ("weight_hh_l0", [2, 2], 4),
        ("bias_ih_l0", [2], 2),
        ("bias_hh_l0", [2], 2),
        ("weight", [1, 2], 2),
        ("bias", [1], 1),
    ]


def test_flop_count_view_derives_its_totals():
    doc = to_plain(count_flops(SPEC))
    assert doc == {
        "arch": "rnn_tanh:1x2",
        "seq_len": 3,
        "matmul_macs": 3 * 6 + 2,
        "matmul_flops": 2 * 20,
        "elementwise_flops": 3 * 8 + 1,
        "forward_flops": 40 + 25,
        "backward_flops": 2 * 65,
        "training_flops": 3 * 65,
        "per_layer": [
            {"layer": "layer 1", "matmul_macs": 18, "elementwise_flops": 24, "forward_flops": 60},
            {"layer": "head", "matmul_macs": 2, "elementwise_flops": 1, "forward_flops": 5},
        ],
    }
    assert list(doc)[-1] == "per_layer"


def test_frontier_point_view_drops_the_spec_and_budget():
    template = parse_arch("rnn_tanh:1x1", input_size=1, outputs=1)
    (point,) = frontier(template, 13, [1])
    assert to_plain(point) == {
        "arch": "rnn_tanh:1x2",
        "layers": 1,
        "hidden_sizes": [2],
        "parameters": 13,
        "difference": 0,
        "relative_difference": 0.0,
    }
