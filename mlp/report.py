"""The course report's settings and reported numbers, the reference this package reproduces.

Each value is quoted from the report (section or table named beside it), so that code,
tests and the site compare against one copy.
"""

from mlp.params import Params

# Table 1: the dry run of the 2-3-2 network.
DRY_RUN_X = [1.0, -1.0]
DRY_RUN_LABEL = 0  # the report's target y-hat = [1, 0]
DRY_RUN_PARAMS = Params(
    w=[[1.0, 1.0, 1.0], [-1.0, -1.0, -1.0]],
    b=[0.0, 0.0, 0.0],
    v=[[1.0, 1.0], [-1.0, -1.0], [-1.0, -1.0]],
    c=[0.0, 0.0],
)
# Section 4.1: the derivatives it found (rounded to 4 decimals there).
DRY_RUN_GRADS = Params(
    w=[[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
    b=[0.0, 0.0, 0.0],
    v=[[-0.4404, 0.4404], [-0.4404, 0.4404], [-0.4404, 0.4404]],
    c=[-0.5, 0.5],
)
