// Elementwise functions: unary ops and the activations fusion attaches to
// Conv/Gemm/MatMul/Add (rnpu.activation).  Specialisation constants 0..2
// select the fused activation and its two parameters.
layout(constant_id = 0) const int ACT = OP_NONE;
layout(constant_id = 1) const float ACT_A = 0.0;
layout(constant_id = 2) const float ACT_B = 0.0;

// erf with |error| < 1.2e-7 (Numerical Recipes' erfc Chebyshev fit).
float erf_approx(float x) {
  float z = abs(x);
  float t = 1.0 / (1.0 + 0.5 * z);
  float r = t * exp(-z * z - 1.26551223 +
                    t * (1.00002368 +
                         t * (0.37409196 +
                              t * (0.09678418 +
                                   t * (-0.18628806 +
                                        t * (0.27886807 +
                                             t * (-1.13520398 +
                                                  t * (1.48851587 +
                                                       t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0.0 ? 1.0 - r : r - 1.0;
}

float tanh_safe(float x) {
  // Large |x| overflows exp() inside some drivers' tanh.
  return tanh(clamp(x, -15.0, 15.0));
}

float sigmoid(float x) { return 1.0 / (1.0 + exp(-x)); }

float softplus(float x) { return x > 20.0 ? x : log(1.0 + exp(x)); }

float apply_unary(int op, float x, float a, float b) {
  switch (op) {
    case OP_RELU: return max(x, 0.0);
    case OP_LEAKY_RELU: return x < 0.0 ? x * a : x;
    case OP_CLIP: return min(max(x, a), b);
    case OP_SIGMOID: return sigmoid(x);
    case OP_TANH: return tanh_safe(x);
    case OP_HARD_SIGMOID: return clamp(a * x + b, 0.0, 1.0);
    case OP_HARD_SWISH: return x * clamp(x / 6.0 + 0.5, 0.0, 1.0);
    case OP_GELU: return 0.5 * x * (1.0 + erf_approx(x * 0.70710678118654752));
    case OP_GELU_TANH:
      return 0.5 * x * (1.0 + tanh_safe(0.79788456080286536 * (x + 0.044715 * x * x * x)));
    case OP_ERF: return erf_approx(x);
    case OP_EXP: return exp(x);
    case OP_LOG: return log(x);
    case OP_SQRT: return sqrt(x);
    case OP_ABS: return abs(x);
    case OP_NEG: return -x;
    case OP_RECIPROCAL: return 1.0 / x;
    case OP_ELU: return x < 0.0 ? a * (exp(x) - 1.0) : x;
    case OP_SOFTPLUS: return softplus(x);
    case OP_FLOOR: return floor(x);
    case OP_CEIL: return ceil(x);
    case OP_SIN: return sin(x);
    case OP_COS: return cos(x);
    case OP_ROUND: return roundEven(x);
    case OP_SIGN: return sign(x);
    case OP_MISH: return x * tanh_safe(softplus(x));
    case OP_SOFTSIGN: return x / (1.0 + abs(x));
    case OP_SELU: return x <= 0.0 ? b * (a * exp(x) - a) : b * x;
    case OP_THRESHOLDED_RELU: return x > a ? x : 0.0;
    case OP_SILU: return x * sigmoid(x);
    default: return x;
  }
}

float activate(float x) { return ACT == OP_NONE ? x : apply_unary(ACT, x, ACT_A, ACT_B); }
