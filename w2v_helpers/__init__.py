"""Helpers for the hands-on word2vec course.

Import names from their modules (``from w2v_helpers.models import CBOW``), so every notebook
says where each name comes from:

- ``models``     CBOW and SkipGram with a full-vocabulary output layer
- ``losses``     naive and stable binary / multi-class cross-entropy
- ``data``       batches of token ids
- ``gradients``  the tied CBOW's backward pass by hand, split into input and output sides
- ``explore``    pure functions behind the widgets (config in, report out)
- ``widgets``    ipywidgets panels over ``explore``
- ``plots``      matplotlib figures
- ``checks``     automatic checks for the exercises
- ``memory``     the memory guard every widget goes through
- ``validation`` input checks with readable errors
- ``notebook``   seeds, print options and versions for the top of each notebook
"""

__version__ = "0.1.0"
