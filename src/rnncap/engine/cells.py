"""One recurrent layer of M members over all time steps, with a hand-written backward pass.

Autograd records ~10 nodes per time step for an LSTM cell and runs one weight-gradient matmul
per step; for the tiny matrices of small models that bookkeeping, not arithmetic, is the cost.
These `torch.autograd.Function`s run the time loop without recording and keep what backward
needs; backward walks the steps in reverse with a few fused pointwise ops and the recurrent
matmul per step, and computes each weight gradient as one batched matmul over all steps.
Gradients are checked against autograd through `nn.LSTM`/`nn.GRU`/`nn.RNN` and by finite
differences (`torch.autograd.gradcheck`) in tests/engine.

Layout, feature-major: ``xp`` (M, G*h, T, B) are the input projections (with the biases that
add there), ``w_hh`` (M, G*h, h) the recurrent weights in PyTorch's layout, states are
(M, h, B) and all steps' states (M, h, T, B). Every pointwise op then runs over rows of B
contiguous floats (with the gate axis innermost, as in (M, B, G*h), rows are only h long and
ops on gate slices were measured 3-15x slower at h = 8), and (T, B) flatten so that each weight
gradient is one bmm. Output: every step's h (M, h, T, B), or with ``last_only`` (M, h, B).
"""

from __future__ import annotations

import torch
from torch.autograd import Function


def tanh_into(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """out = tanh(x). On CPU as 2 sigmoid(2x) - 1: ATen's CPU tanh measured ~12x slower than
    its sigmoid on this project's machines (174 vs 14 us for 64k floats); abs. error ~1e-7."""
    if x.is_cuda:
        return torch.tanh(x, out=out)
    torch.sigmoid(x * 2, out=out)
    return out.mul_(2).sub_(1)


def _weight_grad(d_pre: torch.Tensor, hs: torch.Tensor) -> torch.Tensor:
    """sum over t >= 1 of d_pre_t h_{t-1}^T: (M, G, T, B), (M, h, T, B) -> (M, G, h)."""
    members, gates, steps, rows = d_pre.shape
    if steps < 2:
        return d_pre.new_zeros(members, gates, hs.shape[1])
    d = d_pre.reshape(members, gates, steps * rows)[..., rows:]
    h = hs.reshape(members, hs.shape[1], steps * rows)[..., :-rows]
    return _outer_sum(d, h)


def _outer_sum(d: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """d x^T for d (M, G, K), x (M, n, K) with long K: (M, G, n).

    Computed as (x d^T)^T: with n and G small, MKL's batched GEMM ran this orientation ~2x
    faster (4.4 vs 8.7 ms for M = 64, G = 32, n = 8, K = 2432 on this project's CPU).
    """
    return torch.bmm(x, d.transpose(1, 2)).transpose(1, 2).contiguous()


class Projection(Function):
    """W x + b for every member and step at once: w (M, G, n), x (M, n, K), b (M, G) or None.

    Inputs shared by all members arrive expanded (stride 0 over M); then the M small GEMMs are
    one (M*G, n) x (n, K) GEMM, forward and backward.
    """

    @staticmethod
    def forward(ctx, w: torch.Tensor, x: torch.Tensor, b: torch.Tensor | None) -> torch.Tensor:
        members, gates, width = w.shape
        shared = x.stride(0) == 0
        ctx.save_for_backward(w, x)
        ctx.has_bias, ctx.shared = b is not None, shared
        if shared:
            flat_w = w.reshape(members * gates, width)
            if b is None:
                out = torch.mm(flat_w, x[0])
            else:
                out = torch.addmm(b.reshape(members * gates, 1), flat_w, x[0])
            return out.view(members, gates, -1)
        return torch.bmm(w, x) if b is None else torch.baddbmm(b.unsqueeze(2), w, x)

    @staticmethod
    def backward(ctx, d: torch.Tensor):
        w, x = ctx.saved_tensors
        d_w = d_x = d_b = None
        if ctx.needs_input_grad[0]:
            if ctx.shared:
                members, gates, width = w.shape
                d_w = torch.mm(d.reshape(members * gates, -1), x[0].t()).view(w.shape)
            else:
                d_w = _outer_sum(d, x)
        if ctx.needs_input_grad[1]:
            d_x = torch.bmm(w.transpose(1, 2), d)
        if ctx.has_bias and ctx.needs_input_grad[2]:
            d_b = d.sum(dim=2)
        return d_w, d_x, d_b


def _output(ctx, hs: torch.Tensor, last_only: bool) -> torch.Tensor:
    ctx.last_only = last_only
    return hs[:, :, -1].clone() if last_only else hs


def _dh(ctx, d_out: torch.Tensor, t: int, steps: int, dh_next: torch.Tensor | None):
    """Gradient reaching h_t: from the layer's output plus from step t+1."""
    if ctx.last_only:
        return d_out if t == steps - 1 else dh_next
    return d_out[:, :, t] if dh_next is None else d_out[:, :, t] + dh_next


class LSTMLayer(Function):
    """LSTM (gates i, f, g, o); ``xp`` already holds W_ih x + b_ih + b_hh."""

    @staticmethod
    def forward(ctx, xp: torch.Tensor, w_hh: torch.Tensor, last_only: bool) -> torch.Tensor:
        members, gates, steps, rows = xp.shape
        width = w_hh.shape[2]
        acts = xp.new_empty(xp.shape)
        cs = xp.new_empty(members, width, steps, rows)
        tcs, hs = torch.empty_like(cs), torch.empty_like(cs)  # tanh(c_t), h_t
        g_rows = slice(2 * width, 3 * width)
        for t in range(steps):
            x_t = xp[:, :, t]
            pre = x_t if t == 0 else torch.baddbmm(x_t, w_hh, hs[:, :, t - 1])
            a = acts[:, :, t]
            torch.sigmoid(pre, out=a)
            tanh_into(pre[:, g_rows], a[:, g_rows])
            i, f, g, o = a.chunk(4, 1)
            if t == 0:
                torch.mul(i, g, out=cs[:, :, t])
            else:
                torch.addcmul(i * g, f, cs[:, :, t - 1], out=cs[:, :, t])
            torch.mul(o, tanh_into(cs[:, :, t], tcs[:, :, t]), out=hs[:, :, t])
        ctx.save_for_backward(w_hh, acts, cs, tcs, hs)
        return _output(ctx, hs, last_only)

    @staticmethod
    def backward(ctx, d_out: torch.Tensor):
        w_hh, acts, cs, tc, hs = ctx.saved_tensors
        members, gates, steps, rows = acts.shape
        width = gates // 4
        d_pre = torch.empty_like(acts)
        d_act = acts.new_empty(members, gates, rows)  # gradient of the activated gates
        di, df, dg, do = d_act.chunk(4, 1)
        deriv = torch.empty_like(d_act)  # d activation / d pre-activation
        w_t = w_hh.transpose(1, 2)
        dh_next = dc_next = None
        # per step on cache-sized slices: whole-tensor temporaries were measured slower
        for t in range(steps - 1, -1, -1):
            a = acts[:, :, t]
            i, f, g, o = a.chunk(4, 1)
            tc_t = tc[:, :, t]
            dh = _dh(ctx, d_out, t, steps, dh_next)
            torch.mul(dh, tc_t, out=do)
            dc = (1 - tc_t * tc_t).mul_(o).mul_(dh)
            if dc_next is not None:
                dc.add_(dc_next)
            torch.mul(dc, g, out=di)
            torch.mul(dc, i, out=dg)
            if t:
                torch.mul(dc, cs[:, :, t - 1], out=df)
            else:
                df.zero_()
            torch.sub(a, a * a, out=deriv)
            dg_deriv = deriv[:, 2 * width : 3 * width]
            torch.mul(g, g, out=dg_deriv).neg_().add_(1)
            torch.mul(d_act, deriv, out=d_pre[:, :, t])
            if t:
                dc_next = dc.mul_(f)
                dh_next = torch.bmm(w_t, d_pre[:, :, t])
        return d_pre, _weight_grad(d_pre, hs), None


class GRULayer(Function):
    """GRU as in PyTorch (gates r, z, n; h = (1 - z) n + z h_prev); ``xp`` holds W_ih x + b_ih."""

    @staticmethod
    def forward(
        ctx, xp: torch.Tensor, w_hh: torch.Tensor, b_hh: torch.Tensor | None, last_only: bool
    ):
        members, _, steps, rows = xp.shape
        width = w_hh.shape[2]
        rz = xp.new_empty(members, 2 * width, steps, rows)
        ns = xp.new_empty(members, width, steps, rows)
        hn = torch.empty_like(ns)  # W_hn h_prev + b_hn, which the reset gate multiplies
        hs = torch.empty_like(ns)
        bias = None if b_hh is None else b_hh.unsqueeze(2)
        for t in range(steps):
            x_rz, x_n = xp[:, : 2 * width, t], xp[:, 2 * width :, t]
            h_prev = hs[:, :, t - 1]
            if t == 0:
                hh = bias
            elif bias is None:
                hh = torch.bmm(w_hh, h_prev)
            else:
                hh = torch.baddbmm(bias, w_hh, h_prev)
            if hh is None:
                torch.sigmoid(x_rz, out=rz[:, :, t])
                hn[:, :, t].zero_()
            else:
                torch.sigmoid(x_rz + hh[:, : 2 * width], out=rz[:, :, t])
                hn[:, :, t].copy_(hh[:, 2 * width :].expand_as(hn[:, :, t]))
            r, z = rz[:, :, t].chunk(2, 1)
            n = tanh_into(torch.addcmul(x_n, r, hn[:, :, t]), ns[:, :, t])
            if t == 0:
                torch.addcmul(n, z, n, value=-1, out=hs[:, :, t])
            else:
                torch.addcmul(n, z, h_prev - n, out=hs[:, :, t])
        ctx.has_bias = b_hh is not None
        ctx.save_for_backward(w_hh, rz, ns, hn, hs)
        return _output(ctx, hs, last_only)

    @staticmethod
    def backward(ctx, d_out: torch.Tensor):
        w_hh, rz, ns, hn, hs = ctx.saved_tensors
        members, _, steps, rows = rz.shape
        width = w_hh.shape[2]
        r, z = rz.chunk(2, 1)
        rz_deriv = rz * (1 - rz)
        n_deriv = 1 - ns * ns
        d_x = rz.new_empty(members, 3 * width, steps, rows)  # gradient of xp
        d_hh = torch.empty_like(d_x)  # gradient of W_hh h_prev + b_hh
        d_rz = rz.new_empty(members, 2 * width, rows)
        dr, dz = d_rz.chunk(2, 1)
        w_t = w_hh.transpose(1, 2)
        dh_next = None
        for t in range(steps - 1, -1, -1):
            dh = _dh(ctx, d_out, t, steps, dh_next)
            d_n_pre = d_x[:, 2 * width :, t]
            torch.mul(dh - dh * z[:, :, t], n_deriv[:, :, t], out=d_n_pre)
            torch.mul(d_n_pre, hn[:, :, t], out=dr)
            if t:
                torch.mul(dh, hs[:, :, t - 1] - ns[:, :, t], out=dz)
            else:
                torch.mul(dh, ns[:, :, t], out=dz).neg_()
            torch.mul(d_rz, rz_deriv[:, :, t], out=d_x[:, : 2 * width, t])
            d_hh[:, : 2 * width, t].copy_(d_x[:, : 2 * width, t])
            torch.mul(d_n_pre, r[:, :, t], out=d_hh[:, 2 * width :, t])
            if t:
                dh_next = torch.baddbmm(dh * z[:, :, t], w_t, d_hh[:, :, t])
        d_bias = d_hh.sum(dim=(2, 3)) if ctx.has_bias else None
        return d_x, _weight_grad(d_hh, hs), d_bias, None


class RNNLayer(Function):
    """Elman RNN, h_t = act(xp_t + W_hh h_{t-1}) with act tanh or ReLU."""

    @staticmethod
    def forward(ctx, xp: torch.Tensor, w_hh: torch.Tensor, relu: bool, last_only: bool):
        hs = xp.new_empty(xp.shape)
        for t in range(xp.shape[2]):
            x_t = xp[:, :, t]
            pre = x_t if t == 0 else torch.baddbmm(x_t, w_hh, hs[:, :, t - 1])
            if relu:
                torch.clamp_min(pre, 0.0, out=hs[:, :, t])
            else:
                tanh_into(pre, hs[:, :, t])
        ctx.relu = relu
        ctx.save_for_backward(w_hh, hs)
        return _output(ctx, hs, last_only)

    @staticmethod
    def backward(ctx, d_out: torch.Tensor):
        w_hh, hs = ctx.saved_tensors
        steps = hs.shape[2]
        deriv = (hs > 0).to(hs.dtype) if ctx.relu else 1 - hs * hs
        d_pre = torch.empty_like(hs)
        w_t = w_hh.transpose(1, 2)
        dh_next = None
        for t in range(steps - 1, -1, -1):
            dh = _dh(ctx, d_out, t, steps, dh_next)
            torch.mul(dh, deriv[:, :, t], out=d_pre[:, :, t])
            if t:
                dh_next = torch.bmm(w_t, d_pre[:, :, t])
        return d_pre, _weight_grad(d_pre, hs), None, None
