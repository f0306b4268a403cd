"""rnncap's LSTM work count next to torchinfo, ptflops, thop, fvcore and torch's FlopCounterMode.

Run: ``python bench/flops_peers.py`` (prints a Markdown table; see docs/accounting.md). The
peers disagree (see /work/shared/reference/peers.md section 4); rnncap states its convention:
matrix MACs exactly, element-wise work separately, FLOPs = 2 x MACs + element-wise.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from importlib.metadata import version

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from rnncap.arch import count_flops, count_parameters, parse_arch

CASES = [  # (label, module, spec options): batch 1, batch_first, T = 120
    ("nn.LSTM(7, 32)", dict(hidden=32), {}),
    ("nn.LSTM(7, 32, proj_size=8)", dict(hidden=32, proj_size=8), {"proj_size": 8}),
    ("nn.LSTM(7, 32, num_layers=2)", dict(hidden=32, num_layers=2), {}),
]
INPUT, STEPS = 7, 120


def _quiet(fn):
    """Run a peer tool with its prints and warnings silenced."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        return fn()


def peers(module: nn.Module) -> dict[str, float]:
    """What each tool reports for one forward pass of `module` on (1, STEPS, INPUT)."""
    import fvcore.nn
    import ptflops
    import thop
    import torchinfo

    x = torch.randn(1, STEPS, INPUT)
    logging.getLogger("fvcore").setLevel(logging.ERROR)
    out = {}
    stats = _quiet(lambda: torchinfo.summary(module, input_data=x, verbose=0))
    out["torchinfo mult-adds"] = stats.total_mult_adds
    for backend in ("pytorch", "aten"):
        macs, _ = _quiet(
            lambda b=backend: ptflops.get_model_complexity_info(
                module, (STEPS, INPUT), as_strings=False, print_per_layer_stat=False, backend=b
            )
        )
        out[f"ptflops MACs ({backend} backend)"] = macs
    macs, _ = _quiet(lambda: thop.profile(module, inputs=(x,), verbose=False))
    out["thop MACs"] = macs
    out["fvcore FLOPs (a MAC)"] = _quiet(lambda: fvcore.nn.FlopCountAnalysis(module, x).total())
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        module(x)
    out["torch FlopCounterMode FLOPs"] = counter.get_total_flops()
    return out


def main() -> None:
    results = {}
    for label, mod, options in CASES:
        module = nn.LSTM(
            INPUT,
            mod["hidden"],
            num_layers=mod.get("num_layers", 1),
            proj_size=mod.get("proj_size", 0),
            batch_first=True,
        )
        arch = f"lstm:{mod.get('num_layers', 1)}x{mod['hidden']}"
        spec = parse_arch(arch, input_size=INPUT, seq_len=STEPS, **options)
        flops = count_flops(spec)
        assert count_parameters(spec).total == sum(p.numel() for p in module.parameters())
        row = {
            "rnncap matrix MACs": flops.matmul_macs,
            "rnncap element-wise FLOPs": flops.elementwise_flops,
            "rnncap forward FLOPs (2 MACs + element-wise)": flops.forward_flops,
        }
        row.update(peers(module))
        results[label] = row
    tools = ", ".join(f"{p} {version(p)}" for p in ("torch", "torchinfo", "ptflops", "thop"))
    print(f"Batch 1, T = {STEPS}; {tools}, fvcore {version('fvcore')}\n")
    labels = list(results)
    print("| tool | " + " | ".join(f"`{c}`" for c in labels) + " |")
    print("|---|" + "---:|" * len(labels))
    first = results[labels[0]]
    for key in first:
        cells = []
        for label in labels:
            value = results[label][key]
            exact = results[label]["rnncap matrix MACs"]
            ratio = f" ({value / exact:.3f})" if "rnncap" not in key and value else ""
            cells.append(f"{int(value):,}{ratio}")
        print(f"| {key} | " + " | ".join(cells) + " |")
    print("\n(ratio) = reported value / rnncap's exact matrix MACs.")


if __name__ == "__main__":
    main()
