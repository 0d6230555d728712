"""Qt-free core: image I/O, preprocessing, model loading and recognizers returning plain results."""
