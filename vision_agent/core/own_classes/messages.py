"""What a "My classes" training can say went wrong, as templates: the core and the training
process format them, the tab says them in the UI's language by the same templates
(`ui/own_classes_texts.py`), and the Korean catalog must have every one (a test checks).
"""

TWO_CLASSES = "Give at least two classes with photos in each."
TOO_MANY_CLASSES = "At most {most} classes can be trained ({count} given)."
NO_READABLE_PHOTO = "No readable photo in class {names}."
EVERY_CLASS_NEEDS_A_PHOTO = "Every class needs at least one readable photo."
PROJECT_UNREADABLE = "{path} is not a readable project file ({reason})."
CANNOT_WRITE = "Cannot write into {folder}: {reason}"
NOT_CUT = "{file} could not be cut at its features: {reason}"
WEIGHTS_NOT_FOUND = "Backbone weights file not found: {path}"
WEIGHTS_DO_NOT_FIT = "{file} does not hold the weights of this {network} ({shape}): {reason}"
NO_STORE_WEIGHTS = (
    "Strategy '{strategy}' needs ImageNet weights of {backbone} without its top, which the model "
    "store does not list: give a Keras weights file (--backbone-weights FILE; in the tab: "
    "Network weights…), or train the architecture only (strategy 'all')."
)

MESSAGES = (
    TWO_CLASSES,
    TOO_MANY_CLASSES,
    NO_READABLE_PHOTO,
    EVERY_CLASS_NEEDS_A_PHOTO,
    PROJECT_UNREADABLE,
    CANNOT_WRITE,
    NOT_CUT,
    WEIGHTS_NOT_FOUND,
    WEIGHTS_DO_NOT_FIT,
    NO_STORE_WEIGHTS,
)
