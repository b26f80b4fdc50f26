"""Helpers for the hands-on word2vec course.

Import names from their modules (``from w2v_helpers.models import CBOW``), so every notebook
says where each name comes from:

Core modules, named by concept:

- ``models``            CBOW and SkipGram with a full-vocabulary output layer
- ``losses``            naive and stable binary / multi-class cross-entropy, softmax entropy
- ``targets``           SkipGram's T targets: collapse, tile, lean, softmax view
- ``gradients``         the tied CBOW's backward pass by hand, split into input and output sides
- ``corpus``            the bundled Wikipedia sample, vocabulary, subsampling, noise, windows
- ``negative_sampling`` the SGNS loss, per pair and per block, with its gradient
- ``reference``         SGNS as taught: pairs as a Dataset, two Embeddings, autograd and SGD
- ``trainer``           SkipGram and CBOW with negative sampling, guarded
- ``evaluation``        nearest neighbours, WordSim353, how far training moved the vectors
- ``data``              batches of token ids
- ``memory``            the memory guard every widget and the trainer go through
- ``validation``        input checks with readable errors, one vocabulary for all
- ``notebook``          seeds, print options and versions for the top of each notebook; a
                        function's code without its docstring

Lesson code, one module per notebook: ``lessons.nb01_cbow_forward`` ...
``lessons.nb06_negative_sampling`` (reports, panel, figures, exercise checks), over
``lessons.panel``, ``lessons.feedback``, ``lessons.formatting`` and ``lessons.diagrams``.
"""

__version__ = "0.1.0"
