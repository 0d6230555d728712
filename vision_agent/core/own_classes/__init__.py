"""Teaching the app your own classes: the course's transfer learning (seed 002, example #2).

Strategy (3), "head only": the shipped MobileNetV2 (int8 ONNX) is a frozen feature extractor;
each photo's 1280 pooled features are computed once and cached (`features`), a softmax head is
trained on them in numpy (`head`), and the model is exported as one ONNX graph, backbone and
head together, with its class names and a card (`export`). `train` runs it all and is what the
"My classes" tab and `vision-agent train classes` share. No Qt, no TensorFlow here.
"""
