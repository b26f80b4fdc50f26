"""Helpers for the hands-on word2vec course.

Import names from their modules (``from w2v_helpers.models import CBOW``), so every notebook
says where each name comes from:

Core modules, named by concept:

- ``models``               CBOW and SkipGram with a full-vocabulary output layer
- ``losses``               naive and stable binary / multi-class cross-entropy, softmax entropy
- ``targets``              SkipGram's T targets: collapse, tile, lean, softmax view
- ``gradients``            the tied CBOW's backward pass by hand, split into input and output sides
- ``corpus``               the bundled Wikipedia sample, vocabulary, subsampling, noise, windows
- ``data``                 batches of token ids
- ``negative_sampling``    the SGNS loss of (centre, context, noise) vectors
- ``logistic_scores``      the weighted logistic loss of a block of scores and its gradient: the
                           fast trainer's kernel for negative sampling and hierarchical softmax
- ``reference``            SGNS as taught: pairs as a Dataset, two Embeddings, autograd and SGD
- ``hierarchical_softmax`` the Huffman tree and a word's probability as a walk down it
- ``trainer``              SkipGram and CBOW with negative sampling or hierarchical softmax, guarded
- ``training_config``      what both trainers share: the settings, the learning rate's schedule,
                           the divergence check
- ``chunk_updates``        one chunk's update of the trainer's tables: negative sampling or
                           hierarchical softmax
- ``compiled_ns``          SkipGram negative sampling's chunk update as compiled loops (numba),
                           the same update: ``TrainConfig(kernel="numba")``
- ``compiled_hs``          the same for SkipGram hierarchical softmax
- ``compiled_spans``       what both share: spans of the stream in place of tiles, context
                           lists, per-thread gradient tables, the capped step
- ``row_updates``          sparse row updates of an embedding table, with a capped learning rate
- ``subwords``             fastText's character n-grams, their hashed buckets, bags of rows
- ``subword_trainer``      fastText's SkipGram: a word's input vector is the mean of its bag
- ``evaluation``           nearest neighbours, WordSim353, how far training moved the vectors
- ``analogies``            a : b :: c : ?, scored on ``questions-words.txt`` (3CosAdd, 3CosMul)
- ``counts``               co-occurrence counts, PPMI (context-distribution smoothing, shift),
                           and SVD vectors with eigenvalue weighting
- ``glove``                GloVe's weighted least-squares loss, its gradient, AdaGrad training
- ``memory``               the memory guard every widget and the trainer go through
- ``validation``           input checks with readable errors, one vocabulary for all
- ``notebook``             seeds, print options and versions for the top of each notebook; a
                           function's code without its docstring

Lesson code, one module per notebook, appendices included (its reports, panel, figures and
exercise checks):

- ``lessons.nb01_cbow_forward``            CBOW: many teachers, one student
- ``lessons.nb02_bce_vs_ce``               two ways to score the right word
- ``lessons.nb03_tied_weight_backward``    one matrix, two jobs
- ``lessons.nb04_skipgram_multilabel``     one teacher, many students
- ``lessons.nb05_train_it_yourself``       train it yourself
- ``lessons.nb06_negative_sampling``       negative sampling on a real corpus
- ``lessons.nb07_fast_trainer_vs_gensim``  the fast trainer next to gensim
- ``lessons.nb08_hierarchical_softmax``    hierarchical softmax
- ``lessons.nb09_what_the_vectors_know``   what the vectors know
- ``lessons.nb10_count_and_predict``       count and predict
- ``lessons.nb11_subword_vectors``          words the corpus never saw: subword vectors
- ``lessons.a1_how_the_fast_trainer_departs``  appendix A1: the fast trainer against the reference
- ``lessons.a2_float32_at_the_edges``         appendix A2: float32 at the edges of 03 and 04

over a shared layer:

- ``lessons.panel``        a widget panel over a pure function, with the memory guard's refusal
- ``lessons.feedback``     exercise verdicts and a safe call of the learner's function
- ``lessons.formatting``   timings, rates and ratios with the "(wall clock)" mark nbval masks
- ``lessons.diagrams``     the teachers-and-students pictures of CBOW (01) and SkipGram (04)
"""

__version__ = "0.1.0"
