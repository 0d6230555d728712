"""Qt-free hosting of recognizers: in the calling thread, or in a child process.

TensorFlow is imported only in child processes started by `ProcessHost`, so the window's process
never pays its import (which holds the GIL for about a second and would freeze the GUI) nor its
exit-time crash under X. Models that OpenCV runs (ONNX, Caffe, TensorFlow graphs) are hosted in
the worker thread itself, where OpenCV releases the GIL during inference.
"""
